package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-M02, lookup, EPERM: {@code map_get_sys_perms()} without FMODE_CAN_READ: the fd was opened write-only. */
final class MapNotReadable extends BaseRule {
    MapNotReadable() {
        super("R-M02", on(BpfCommand.MAP_LOOKUP_ELEM, BpfCommand.MAP_GET_NEXT_KEY, BpfCommand.MAP_LOOKUP_BATCH), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || m.accessMode() != ObjectSnapshot.O_WRONLY) return null;
        return cause("your fd " + m.fd() + " for " + name(m) + " is write-only (BPF_F_WRONLY), so bpf() cannot read through it",
                "open the map read-write, or read-only, for lookups");
    }
}
