package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-K04, cgroup PROG_ATTACH, EPERM: {@code __cgroup_bpf_attach()}: programs already at the hook
 * were attached with other flags ({@code cgrp->bpf.flags[atype] != saved_flags}), or a parent
 * does not allow overriding.
 */
final class CgroupFlagsConflict extends BaseRule {
    CgroupFlagsConflict() {
        super("R-K04", on(BpfCommand.PROG_ATTACH), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        String attached = o.fact(Fact.CGROUP_ATTACHED, String.class).orElse(null);
        if (attached == null || attached.isEmpty()) return null;
        return cause("this cgroup already has programs at this hook (" + attached + "), and the call's flags "
                        + Flags.attach(o.call().u32("attach_flags")) + " differ from theirs; one hook's flags must agree",
                "attach with the same flags as the programs already there (e.g. BPF_F_ALLOW_MULTI), or detach them first");
    }
}
