package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-C08, MAP_CREATE, EINVAL: {@code fd_array_map_alloc_check()}: maps that store fds need value_size 4. */
final class FdMapValueSize extends BaseRule {
    FdMapValueSize() {
        super("R-C08", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        int vs = o.call().u32("value_size");
        if (!Families.in(Families.FD_VALUED, type) || vs == 4) return null;
        return cause(MapType.nameOf(type) + " stores the objects fds name, so its value is a 4-byte fd; you passed value_size " + vs,
                "create it with value_size 4 (libbpf sets it from __array(values, ...))");
    }
}
