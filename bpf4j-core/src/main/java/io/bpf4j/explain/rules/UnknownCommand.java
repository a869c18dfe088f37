package io.bpf4j.explain.rules;

import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-G04, EINVAL: {@code __sys_bpf()}'s switch has no case for the command ({@code default: err = -EINVAL}). */
final class UnknownCommand extends BaseRule {
    UnknownCommand() {
        super("R-G04", ANY, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int max = o.kernel().maxCommand();
        boolean unknown = max >= 0 ? o.call().cmd() > max : o.call().command() == null;
        if (!unknown) return null;
        return cause("command " + o.call().commandName() + " does not exist on this kernel ("
                        + o.kernel().release() + (max >= 0 ? ", whose last command is " + max : "") + ")",
                "use the command only on kernels that have it: feature-probe it and fall back");
    }
}
