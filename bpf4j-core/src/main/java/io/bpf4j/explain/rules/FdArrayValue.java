package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M13, fd-map update, EBADF/EINVAL: the value must be an fd of the process naming the right
 * object: a program for prog arrays ({@code prog_fd_array_get_ptr()} → {@code bpf_prog_get()}),
 * a map for maps of maps, a perf event for perf event arrays, a cgroup for cgroup arrays.
 */
final class FdArrayValue extends BaseRule {
    FdArrayValue() {
        super("R-M13", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EBADF, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        ObjectSnapshot v = o.object("value").orElse(null);
        if (m == null || v == null || !Families.in(Families.FD_VALUED, m.type())) return null;
        String want = m.isType(MapType.PROG_ARRAY) ? "a program" : Families.in(Families.MAP_IN_MAP, m.type()) ? "a map"
                : m.isType(MapType.PERF_EVENT_ARRAY) ? "a perf event" : "a cgroup directory";
        String fix = "store the fd of " + want + " (from your process) as the 4-byte value";
        if (v instanceof ObjectSnapshot.NotOpen n && o.errno() == Errno.EBADF)
            return cause("the value is fd " + n.fd() + ", which is not open in your process; " + name(m) + " stores " + want + " by fd", fix);
        if (o.errno() != Errno.EINVAL) return null;
        boolean ok = switch (want) {
            case "a program" -> v instanceof ObjectSnapshot.ProgObject;
            case "a map" -> v instanceof ObjectSnapshot.MapObject;
            case "a perf event" -> v instanceof ObjectSnapshot.OtherFile f && f.path().contains("perf_event");
            default -> v instanceof ObjectSnapshot.OtherFile f && f.fsType().equals(ObjectSnapshot.OtherFile.CGROUP2);
        };
        if (ok || v instanceof ObjectSnapshot.NotOpen) return null;
        return cause("the value is fd " + v.fd() + ", which is " + kind(v) + "; " + name(m) + " stores " + want, fix);
    }
}
