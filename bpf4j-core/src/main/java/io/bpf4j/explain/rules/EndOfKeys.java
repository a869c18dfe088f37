package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-M11, get_next_key, ENOENT: the key was the last one, or the map is empty: the end of an iteration. */
final class EndOfKeys extends BaseRule {
    EndOfKeys() {
        super("R-M11", on(BpfCommand.MAP_GET_NEXT_KEY), Errno.ENOENT);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null) return null;
        return cause("there is no key after this one in " + name(m) + " (the end of an iteration, or an empty map)",
                "nothing to fix: ENOENT ends a BPF_MAP_GET_NEXT_KEY loop");
    }
}
