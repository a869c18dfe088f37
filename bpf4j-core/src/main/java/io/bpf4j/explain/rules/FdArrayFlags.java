package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-M12, fd-array update, EINVAL: {@code bpf_fd_array_map_update_elem()}: {@code if (map_flags != BPF_ANY) return -EINVAL}. */
final class FdArrayFlags extends BaseRule {
    FdArrayFlags() {
        super("R-M12", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        long flags = o.call().get("flags");
        if (m == null || !Families.in(Families.FD_ARRAYS, m.type()) || flags == Flags.ANY) return null;
        return cause(name(m) + " stores objects by fd and accepts only BPF_ANY; the call passed " + Flags.elem(flags),
                "update fd arrays (prog, perf event, cgroup arrays, array of maps) with BPF_ANY");
    }
}
