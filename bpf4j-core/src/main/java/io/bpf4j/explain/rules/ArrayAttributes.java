package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * R-C02, MAP_CREATE, EINVAL: {@code array_map_alloc_check()} wants key_size 4 and non-zero
 * max_entries and value_size, for every array-backed type.
 */
final class ArrayAttributes extends BaseRule {
    ArrayAttributes() {
        super("R-C02", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        if (!Families.in(Families.ARRAYS, type)) return null;
        List<String> wrong = new ArrayList<>();
        if (o.call().u32("key_size") != 4) wrong.add("key_size " + o.call().u32("key_size"));
        if (o.call().u32("max_entries") == 0) wrong.add("max_entries 0");
        if (o.call().u32("value_size") == 0) wrong.add("value_size 0");
        if (wrong.isEmpty()) return null;
        return cause(MapType.nameOf(type) + " maps need key_size 4 (a u32 index) and non-zero max_entries and value_size; "
                + "you passed " + String.join(", ", wrong), "create the array with key_size 4, max_entries >= 1 and value_size >= 1");
    }
}
