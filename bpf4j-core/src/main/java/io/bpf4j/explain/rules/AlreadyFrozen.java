package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-F02, MAP_FREEZE, EBUSY (before 6.5) or EPERM (6.5+): the map is frozen already. From 6.5
 * ({@code c4c84f6fb2c4}) the write-permission check comes first, and a frozen map has none.
 */
final class AlreadyFrozen extends BaseRule {
    AlreadyFrozen() {
        super("R-F02", on(BpfCommand.MAP_FREEZE), Errno.EBUSY, Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || !m.frozen()) return null;
        return cause(name(m) + " is already frozen (libbpf freezes .rodata and .kconfig maps itself)",
                "freeze a map once; check fdinfo's frozen: field first if you cannot tell",
                KnownChanges.FREEZE_NEEDS_WRITE, o.errno() == Errno.EPERM ? "EPERM from Linux 6.5 on, EBUSY before" : "EBUSY before Linux 6.5, EPERM from then on");
    }
}
