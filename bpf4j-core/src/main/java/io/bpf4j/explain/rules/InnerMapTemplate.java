package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-C13, MAP_CREATE, EBADF/EINVAL: {@code bpf_map_meta_alloc()} needs inner_map_fd to be an
 * open map of a type that may be nested (not a prog array, not a map-in-map).
 */
final class InnerMapTemplate extends BaseRule {
    InnerMapTemplate() {
        super("R-C13", on(BpfCommand.MAP_CREATE), Errno.EBADF, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if (!Families.in(Families.MAP_IN_MAP, o.call().u32("map_type"))) return null;
        int fd = o.call().u32("inner_map_fd");
        ObjectSnapshot inner = o.object("inner_map_fd").orElse(null);
        String fix = "create the inner template map first and pass its fd in inner_map_fd";
        if (inner instanceof ObjectSnapshot.NotOpen && o.errno() == Errno.EBADF)
            return cause("inner_map_fd " + fd + " is not open: a map-in-map needs an open template map", fix);
        if (o.errno() != Errno.EINVAL) return null;
        if (inner == null && fd == 0) return cause("inner_map_fd is 0: a map-in-map needs a template map for its values", fix);
        if (inner instanceof ObjectSnapshot.MapObject m && (m.isType(MapType.PROG_ARRAY) || Families.in(Families.MAP_IN_MAP, m.type())
                || m.isType(MapType.PERF_EVENT_ARRAY) || m.isType(MapType.CGROUP_ARRAY)))
            return cause("the inner template " + name(m) + " is of a type that cannot be nested in a map-in-map", fix);
        if (inner != null && !(inner instanceof ObjectSnapshot.MapObject) && !(inner instanceof ObjectSnapshot.NotOpen))
            return cause("inner_map_fd " + fd + " is " + kind(inner) + ", not a map", fix);
        return null;
    }
}
