package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-C07, MAP_CREATE, EINVAL: {@code bpf_map_flags_access_ok()} (both read-only and write-only),
 * BPF_F_MMAPABLE and BPF_F_INNER_MAP only on arrays, BPF_F_PRESERVE_ELEMS only on perf event
 * arrays, BPF_F_NO_COMMON_LRU only on LRU maps.
 */
final class MapFlagsConflict extends BaseRule {
    MapFlagsConflict() {
        super("R-C07", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int f = o.call().u32("map_flags");
        MapType t = MapType.of(o.call().u32("map_type"));
        String why = null;
        if ((f & Flags.RDONLY) != 0 && (f & Flags.WRONLY) != 0) why = "BPF_F_RDONLY and BPF_F_WRONLY together";
        else if ((f & Flags.RDONLY_PROG) != 0 && (f & Flags.WRONLY_PROG) != 0) why = "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together";
        else if ((f & Flags.MMAPABLE) != 0 && t != MapType.ARRAY && t != MapType.ARENA) why = "BPF_F_MMAPABLE on " + MapType.nameOf(o.call().u32("map_type")) + " (only arrays can be mmap()ed)";
        else if ((f & Flags.INNER_MAP) != 0 && t != MapType.ARRAY) why = "BPF_F_INNER_MAP on " + MapType.nameOf(o.call().u32("map_type")) + " (arrays only)";
        else if ((f & Flags.PRESERVE_ELEMS) != 0 && t != MapType.PERF_EVENT_ARRAY) why = "BPF_F_PRESERVE_ELEMS on a map that is not a perf event array";
        else if ((f & Flags.NO_COMMON_LRU) != 0 && !Families.LRU.contains(t)) why = "BPF_F_NO_COMMON_LRU on a map that is not an LRU hash";
        else if ((f & (Flags.RDONLY_PROG | Flags.WRONLY_PROG)) != 0 && t != null && Families.FD_ARRAYS.contains(t))
            why = "program access flags on " + t.kernelName() + ", whose values are objects, not data";
        if (why == null) return null;
        return cause("map_flags " + Flags.map(f) + " are not a valid combination: " + why,
                "use one access flag per side; BPF_F_MMAPABLE and BPF_F_INNER_MAP only on arrays, BPF_F_PRESERVE_ELEMS only on perf event arrays");
    }
}
