package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-M05, array update, EEXIST: {@code array_map_update_elem()}: every element exists, so BPF_NOEXIST always fails. */
final class ArrayNoExist extends BaseRule {
    ArrayNoExist() {
        super("R-M05", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EEXIST);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || !Families.in(Families.PLAIN_ARRAYS, m.type()) || (o.call().get("flags") & 3) != Flags.NOEXIST) return null;
        return cause("BPF_NOEXIST can never succeed on " + name(m) + ": every element of an array exists from creation on",
                "use BPF_ANY (or BPF_EXIST) on arrays");
    }
}
