package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-C04, MAP_CREATE, ENOTSUPP (524): {@code htab_map_alloc_check()}: {@code if (lru && !prealloc) return -ENOTSUPP}. */
final class LruWithoutPrealloc extends BaseRule {
    LruWithoutPrealloc() {
        super("R-C04", on(BpfCommand.MAP_CREATE), Errno.ENOTSUPP);
    }

    @Override
    Cause check(Observation o) {
        if (!Families.in(Families.LRU, o.call().u32("map_type")) || (o.call().u32("map_flags") & Flags.NO_PREALLOC) == 0) return null;
        return cause("LRU hash maps are always preallocated, and the call asks for BPF_F_NO_PREALLOC "
                        + "(errno 524 is the kernel-internal ENOTSUPP, which libc prints as \"Unknown error 524\")",
                "drop BPF_F_NO_PREALLOC for LRU maps");
    }
}
