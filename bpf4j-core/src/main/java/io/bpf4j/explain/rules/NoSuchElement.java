package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M08, lookup/delete, ENOENT: {@code bpf_map_copy_value()} found no element. Usually normal
 * ("not found"); for an array it means the index is out of range (where an update says E2BIG).
 */
final class NoSuchElement extends BaseRule {
    NoSuchElement() {
        super("R-M08", on(BpfCommand.MAP_LOOKUP_ELEM, BpfCommand.MAP_DELETE_ELEM, BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM), Errno.ENOENT);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null) return null;
        Integer key = o.u32At("key").orElse(null);
        if (Families.in(Families.ARRAYS, m.type()) && key != null && Integer.compareUnsigned(key, m.maxEntries()) >= 0)
            return cause("index " + Integer.toUnsignedString(key) + " is out of range for " + name(m) + " (" + m.maxEntries()
                            + " entries): an array lookup says ENOENT for it, where an update says E2BIG",
                    "use an index below max_entries");
        if (Families.in(Families.FD_ARRAYS, m.type()))
            return cause("slot " + (key == null ? "?" : Integer.toUnsignedString(key)) + " of " + name(m) + " is empty",
                    "nothing to fix if an empty slot is expected; otherwise store an object there first");
        if (m.isType(MapType.QUEUE) || m.isType(MapType.STACK))
            return cause(name(m) + " is empty", "nothing to fix if an empty queue is expected; push before popping");
        return cause("the key is not in " + name(m) + ": \"not found\", usually normal control flow",
                "nothing to fix if a missing key is expected; otherwise insert it first, and check the key's bytes (zero the padding of struct keys)");
    }
}
