package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G09, EPERM with every capability: kernel/bpf/syscall.c has no EPERM path for a caller with
 * CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (outside RLIMIT_MEMLOCK before 5.11), so a
 * security module ({@code security_bpf*()} hooks), lockdown or the host's policy refused the call.
 */
final class PolicyRefused extends BaseRule {
    PolicyRefused() {
        super("R-G09", on(BpfCommand.PROG_LOAD, BpfCommand.MAP_CREATE, BpfCommand.BTF_LOAD, BpfCommand.LINK_CREATE,
                BpfCommand.RAW_TRACEPOINT_OPEN), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        ProcessFacts p = o.process();
        if (!p.has(ProcessFacts.CAP_SYS_ADMIN) || !p.has(ProcessFacts.CAP_BPF) || !p.has(ProcessFacts.CAP_PERFMON)
                || !p.has(ProcessFacts.CAP_NET_ADMIN)) return null;
        if (Boolean.TRUE.equals(o.kernel().memlockCharged()) && p.memlockLimit() != ProcessFacts.UNLIMITED) return null;
        String what = o.call().commandName();
        if (o.call().is(BpfCommand.PROG_LOAD)) what = "loading a " + ProgType.nameOf(o.call().u32("prog_type")) + " program";
        return cause(what + " was refused although your process has every capability BPF checks (CAP_SYS_ADMIN, CAP_BPF, "
                        + "CAP_PERFMON, CAP_NET_ADMIN): the kernel's own checks have no EPERM for it, so a security module "
                        + "(LSM), lockdown or the host's policy refused it",
                "nothing in the call is wrong: change the policy (lockdown mode, LSM rules, the sandbox), or run where it "
                        + "allows this program type (e.g. bpf4j vm run)");
    }
}
