package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-C01, MAP_CREATE, EINVAL: {@code map_type >= ARRAY_SIZE(bpf_map_types)} or no ops built in. */
final class UnknownMapType extends BaseRule {
    UnknownMapType() {
        super("R-C01", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int t = o.call().u32("map_type");
        int max = o.kernel().maxMapType();
        MapType known = MapType.of(t);
        if (max >= 0 ? t <= max : known != null) return null;
        String since = known != null ? Families.MAP_SINCE.get(known) : null;
        return cause("map type " + MapType.nameOf(t) + " does not exist on this kernel (" + o.kernel().release() + ")"
                        + (since != null ? ": it needs Linux " + since : ""),
                "pick a map type this kernel has (probe it first), or upgrade the kernel");
    }
}
