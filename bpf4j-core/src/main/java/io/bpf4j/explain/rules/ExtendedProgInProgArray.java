package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M16, prog array update, EBUSY: from 6.13 ({@code d6083f040d5d}) a program that an freplace
 * link currently extends cannot be stored in a prog array ({@code if (is_extended) return -EBUSY}).
 */
final class ExtendedProgInProgArray extends BaseRule {
    ExtendedProgInProgArray() {
        super("R-M16", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EBUSY);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        ObjectSnapshot.ProgObject p = o.prog("value").orElse(null);
        if (m == null || p == null || !m.isType(MapType.PROG_ARRAY)) return null;
        return cause(name(p) + " is extended by an freplace program" + (p.extendedBy().isEmpty() ? "" : " (link " + p.extendedBy() + ")")
                        + ", and an extended program cannot be a tail-call target",
                "detach the freplace link from this program before storing it, or store a program that is not extended",
                KnownChanges.FREPLACE_TAILCALL_LOOP, "Linux 6.13 and later (6.12.5+, 6.1.191+)");
    }
}
