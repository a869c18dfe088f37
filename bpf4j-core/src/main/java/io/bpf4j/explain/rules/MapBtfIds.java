package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-C11, MAP_CREATE, EINVAL: a BTF key type without a BTF value type ({@code btf_key_type_id && !btf_value_type_id}). */
final class MapBtfIds extends BaseRule {
    MapBtfIds() {
        super("R-C11", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if (o.call().u32("btf_key_type_id") == 0 || o.call().u32("btf_value_type_id") != 0) return null;
        return cause("btf_key_type_id is " + o.call().u32("btf_key_type_id") + " but btf_value_type_id is 0: the kernel wants both or neither",
                "give the value's BTF type id too, or no BTF type ids at all");
    }
}
