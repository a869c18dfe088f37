package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M10, hash update, E2BIG: no free element for a new key: {@code alloc_htab_elem()} found the
 * preallocated freelist empty, or {@code is_map_full()} without preallocation. LRU maps evict
 * instead.
 */
final class HashFull extends BaseRule {
    HashFull() {
        super("R-M10", on(BpfCommand.MAP_UPDATE_ELEM), Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || !(m.isType(MapType.HASH) || m.isType(MapType.PERCPU_HASH) || m.isType(MapType.HASH_OF_MAPS))) return null;
        if (o.fact(Fact.KEY_EXISTS, Boolean.class).orElse(false)) return null;
        Long count = o.fact(Fact.ELEMENT_COUNT, Long.class).orElse(null);
        return cause(name(m) + " is full" + (count != null ? " (" + count + " of " + m.maxEntries() + " elements)" : " (max_entries " + m.maxEntries() + ")")
                        + " and the key is new; for hash maps E2BIG means \"no free element\", not \"value too big\"",
                "create the map with a larger max_entries, delete stale keys, or use BPF_MAP_TYPE_LRU_HASH, which evicts instead of failing");
    }
}
