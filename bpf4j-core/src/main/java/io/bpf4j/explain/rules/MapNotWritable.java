package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M01, update/delete, EPERM: {@code map_get_sys_perms()} without FMODE_CAN_WRITE: the map is
 * frozen (which drops write access for every fd), or this fd was opened read-only.
 */
final class MapNotWritable extends BaseRule {
    MapNotWritable() {
        super("R-M01", on(BpfCommand.MAP_UPDATE_ELEM, BpfCommand.MAP_DELETE_ELEM, BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM,
                BpfCommand.MAP_UPDATE_BATCH, BpfCommand.MAP_DELETE_BATCH, BpfCommand.MAP_LOOKUP_AND_DELETE_BATCH), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null) return null;
        if (m.frozen())
            return cause(name(m) + " is frozen (BPF_MAP_FREEZE; libbpf freezes .rodata and .kconfig after loading), so bpf() can no longer write it",
                    "write the map before it is frozen (for .rodata: set the values between open and load), or do not freeze it");
        if (m.accessMode() == ObjectSnapshot.O_RDONLY)
            return cause("your fd " + m.fd() + " for " + name(m) + " is read-only ("
                            + ((m.flags() & Flags.RDONLY) != 0 ? "the map was created with BPF_F_RDONLY" : "opened with BPF_F_RDONLY, or from a read-only pin") + ")",
                    "open the map read-write (no BPF_F_RDONLY in map_flags, file_flags or open_flags)");
        return null;
    }
}
