package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M04, array update, E2BIG: {@code array_map_update_elem()} and
 * {@code bpf_fd_array_map_update_elem()}: {@code if (index >= max_entries) return -E2BIG}. E2BIG
 * here means "index too big", not "map full" and not "value too big".
 */
final class IndexOutOfRange extends BaseRule {
    IndexOutOfRange() {
        super("R-M04", on(BpfCommand.MAP_UPDATE_ELEM), Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        Integer key = o.u32At("key").orElse(null);
        if (m == null || key == null || !Families.in(Families.ARRAYS, m.type())) return null;
        if (Integer.compareUnsigned(key, m.maxEntries()) < 0) return null;
        return cause("index " + Integer.toUnsignedString(key) + " is out of range: " + name(m) + " has " + m.maxEntries()
                        + " entries (0.." + (m.maxEntries() - 1) + "); for arrays E2BIG means \"index too big\", not \"map full\"",
                "use an index below max_entries, or create the map with more entries");
    }
}
