package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-M07, array delete, EINVAL: {@code array_map_delete_elem()} is {@code return -EINVAL}: array elements cannot be deleted. */
final class ArrayDelete extends BaseRule {
    ArrayDelete() {
        super("R-M07", on(BpfCommand.MAP_DELETE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || !Families.in(Families.PLAIN_ARRAYS, m.type())) return null;
        return cause("elements of " + name(m) + " cannot be deleted: an array's elements exist as long as the map",
                "overwrite the element with zeros (an update) instead of deleting it");
    }
}
