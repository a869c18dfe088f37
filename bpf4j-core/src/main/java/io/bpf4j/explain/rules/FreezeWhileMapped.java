package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-F01, MAP_FREEZE, EBUSY: {@code bpf_map_write_active()}: a writable mmap() of the map exists, or a write is in flight. */
final class FreezeWhileMapped extends BaseRule {
    FreezeWhileMapped() {
        super("R-F01", on(BpfCommand.MAP_FREEZE), Errno.EBUSY);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || m.frozen()) return null;
        Integer maps = o.fact(Fact.WRITABLE_MMAPS, Integer.class).orElse(null);
        if ((m.flags() & Flags.MMAPABLE) == 0 && (maps == null || maps == 0)) return null;
        return cause(name(m) + " has " + (maps != null && maps > 0 ? maps + " writable shared mapping" + (maps == 1 ? "" : "s")
                        : "a writable mmap() (it is BPF_F_MMAPABLE) or a write in progress") + ", and a map that can still be written cannot be frozen",
                "munmap() the writable mapping (or map it read-only) before BPF_MAP_FREEZE");
    }
}
