package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M09, hash update, ENOENT/EEXIST: {@code check_flags()}: BPF_EXIST on a missing key is
 * ENOENT, BPF_NOEXIST on a present key EEXIST.
 */
final class HashExistFlags extends BaseRule {
    HashExistFlags() {
        super("R-M09", on(BpfCommand.MAP_UPDATE_ELEM), Errno.ENOENT, Errno.EEXIST);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null || !Families.in(Families.HASHES, m.type()) && !m.isType(io.bpf4j.MapType.SOCKHASH)) return null;
        long mode = o.call().get("flags") & 3;
        if (o.errno() == Errno.ENOENT && mode == Flags.EXIST)
            return cause("BPF_EXIST updates only a key that is already in " + name(m) + ", and this key is not",
                    "use BPF_ANY to insert or replace, or insert the key first");
        if (o.errno() == Errno.EEXIST && mode == Flags.NOEXIST)
            return cause("BPF_NOEXIST inserts only a new key, and this key is already in " + name(m),
                    "use BPF_ANY to replace it, or BPF_EXIST to update only existing keys");
        return null;
    }
}
