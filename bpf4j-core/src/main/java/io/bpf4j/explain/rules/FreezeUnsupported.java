package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-F04, MAP_FREEZE, ENOTSUPP (524): struct_ops maps, and (6.1+) values with special fields (spin
 * locks, timers, kptrs, list heads) cannot be frozen.
 */
final class FreezeUnsupported extends BaseRule {
    FreezeUnsupported() {
        super("R-F04", on(BpfCommand.MAP_FREEZE), Errno.ENOTSUPP);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null) return null;
        return cause(name(m) + (m.isType(MapType.STRUCT_OPS) ? " is a struct_ops map" : "'s value has special fields (a spin lock, timer, kptr or list head)")
                        + ", and such maps cannot be frozen",
                "do not freeze it; for a value programs must not change, create the map with BPF_F_RDONLY_PROG");
    }
}
