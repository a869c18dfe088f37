package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * R-C03, MAP_CREATE, EINVAL: {@code htab_map_alloc_check()}: zero key_size, value_size or
 * max_entries, or a flag outside {@code HTAB_CREATE_FLAG_MASK}.
 */
final class HashAttributes extends BaseRule {
    static final int MASK = Flags.NO_PREALLOC | Flags.NO_COMMON_LRU | Flags.NUMA_NODE | Flags.RDONLY | Flags.WRONLY
            | Flags.RDONLY_PROG | Flags.WRONLY_PROG | Flags.ZERO_SEED;

    HashAttributes() {
        super("R-C03", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        if (!Families.in(Families.HASHES, type)) return null;
        List<String> wrong = new ArrayList<>();
        if (o.call().u32("key_size") == 0) wrong.add("key_size 0");
        if (o.call().u32("value_size") == 0) wrong.add("value_size 0");
        if (o.call().u32("max_entries") == 0) wrong.add("max_entries 0");
        int bad = o.call().u32("map_flags") & ~MASK;
        if (bad != 0) wrong.add("map_flags " + Flags.map(bad) + ", which hash maps do not take");
        if (wrong.isEmpty()) return null;
        return cause(MapType.nameOf(type) + " maps need non-zero key_size, value_size and max_entries and only hash flags; you passed "
                + String.join(", ", wrong), "create the hash map with non-zero sizes and only BPF_F_NO_PREALLOC, "
                + "BPF_F_NO_COMMON_LRU (LRU only), BPF_F_NUMA_NODE, BPF_F_ZERO_SEED and the access flags");
    }
}
