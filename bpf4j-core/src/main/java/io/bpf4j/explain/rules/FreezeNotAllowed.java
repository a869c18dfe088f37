package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-F03, MAP_FREEZE, EPERM: from 6.5 ({@code c4c84f6fb2c4}) freezing needs a writable fd;
 * before, it needed CAP_BPF instead.
 */
final class FreezeNotAllowed extends BaseRule {
    FreezeNotAllowed() {
        super("R-F03", on(BpfCommand.MAP_FREEZE), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || m.frozen()) return null;
        if (m.accessMode() == ObjectSnapshot.O_RDONLY)
            return cause("your fd " + m.fd() + " for " + name(m) + " is read-only, and freezing needs a writable fd",
                    "freeze through a read-write fd of the map", KnownChanges.FREEZE_NEEDS_WRITE, "Linux 6.5 and later");
        if (o.process().known() && !o.process().bpfCapable())
            return cause("freezing a map needs CAP_BPF on this kernel, and your process does not have it",
                    "freeze with CAP_BPF (or on Linux 6.5+, where a writable fd is enough)", KnownChanges.FREEZE_NEEDS_WRITE, "before Linux 6.5");
        return null;
    }
}
