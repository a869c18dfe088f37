package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M20, queue/stack/bloom filter element commands, EINVAL: these maps have no key
 * (key_size 0), and {@code ___bpf_copy_key()} refuses a non-NULL key pointer.
 */
final class KeylessMapKey extends BaseRule {
    KeylessMapKey() {
        super("R-M20", on(BpfCommand.MAP_LOOKUP_ELEM, BpfCommand.MAP_UPDATE_ELEM, BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || !Families.in(Families.KEYLESS, m.type()) || o.call().get("key") == 0) return null;
        return cause(name(m) + " has no keys (key_size 0), but the call passes a key pointer",
                "pass key = NULL (0) for queue, stack and bloom filter maps");
    }
}
