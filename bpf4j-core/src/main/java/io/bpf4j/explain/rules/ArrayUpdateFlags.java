package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-M06, array update, EINVAL: {@code if ((map_flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL}. */
final class ArrayUpdateFlags extends BaseRule {
    ArrayUpdateFlags() {
        super("R-M06", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        long flags = o.call().get("flags");
        if (m == null || !Families.in(Families.PLAIN_ARRAYS, m.type()) || (flags & ~Flags.F_LOCK) <= Flags.EXIST) return null;
        return cause("flags " + Flags.elem(flags) + " is not an update mode " + name(m) + " accepts",
                "pass BPF_ANY, BPF_NOEXIST or BPF_EXIST, optionally with BPF_F_LOCK");
    }
}
