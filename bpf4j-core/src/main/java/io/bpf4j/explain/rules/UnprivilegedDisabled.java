package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G07, EPERM: {@code kernel.unprivileged_bpf_disabled} and a caller without CAP_BPF (or
 * CAP_SYS_ADMIN). Before 5.19 ({@code c8644cd0efe7}) the check sat in the syscall entry and
 * refused every command; since then only BPF_MAP_CREATE and BPF_PROG_LOAD (moved into them by
 * {@code 1d28635abcf1}, 6.5).
 */
final class UnprivilegedDisabled extends BaseRule {
    UnprivilegedDisabled() {
        super("R-G07", ANY, Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        int sysctl = o.kernel().unprivilegedBpfDisabled();
        if (!o.process().known() || o.process().bpfCapable() || sysctl <= 0) return null;
        boolean create = o.call().is(BpfCommand.MAP_CREATE) || o.call().is(BpfCommand.PROG_LOAD);
        boolean everyCommand = o.kernel().major() > 0 && !o.kernel().atLeast(5, 19);
        if (!create && !everyCommand) return null;
        String text = "unprivileged BPF is disabled (kernel.unprivileged_bpf_disabled=" + sysctl
                + (sysctl == 2 ? ", locked until reboot" : "") + ") and your process (euid " + o.process().euid()
                + ") has neither CAP_BPF nor CAP_SYS_ADMIN";
        String fix = "run with CAP_BPF (plus CAP_PERFMON or CAP_NET_ADMIN for some types), as root, or with a BPF token";
        if (!create)
            return cause(text + "; before Linux 5.19 this refuses every bpf() command, even one on an fd a privileged process handed over",
                    fix, KnownChanges.UNPRIV_REFINED, "before Linux 5.19");
        return cause(text, fix);
    }
}
