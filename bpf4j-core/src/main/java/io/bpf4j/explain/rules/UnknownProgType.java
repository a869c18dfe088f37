package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-L10, PROG_LOAD, EINVAL: {@code find_prog_type()}: a type number past this kernel's last, or not built in. */
final class UnknownProgType extends BaseRule {
    UnknownProgType() {
        super("R-L10", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int t = o.call().u32("prog_type");
        int max = o.kernel().maxProgType();
        ProgType known = ProgType.of(t);
        if (max >= 0 ? t <= max : known != null) return null;
        String since = known != null ? Families.PROG_SINCE.get(known) : null;
        return cause("program type " + ProgType.nameOf(t) + " does not exist on this kernel (" + o.kernel().release() + ")"
                        + (since != null ? ": it needs Linux " + since : ""),
                "use a program type this kernel has (probe it first), or upgrade the kernel");
    }
}
