package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-C12, MAP_CREATE, EINVAL: map_extra (5.16+) is only for bloom filters (hash count) and arenas (address). */
final class MapExtraUnsupported extends BaseRule {
    MapExtraUnsupported() {
        super("R-C12", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        if (o.call().get("map_extra") == 0 || type == MapType.BLOOM_FILTER.value() || type == MapType.ARENA.value()
                || MapType.of(type) == null) return null;
        return cause("map_extra is " + Long.toUnsignedString(o.call().get("map_extra")) + ", but " + MapType.nameOf(type) + " has no use for it",
                "leave map_extra 0 except for bloom filters (number of hash functions) and arenas (user address)");
    }
}
