package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-K03, cgroup PROG_ATTACH, EINVAL: {@code __cgroup_bpf_attach()}: the same program twice at a
 * hook ({@code find_attach_entry()}), or a bad flag combination.
 */
final class CgroupSameProgTwice extends BaseRule {
    CgroupSameProgTwice() {
        super("R-K03", on(BpfCommand.PROG_ATTACH), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int flags = o.call().u32("attach_flags");
        if ((flags & Flags.ALLOW_OVERRIDE) != 0 && (flags & Flags.ALLOW_MULTI) != 0)
            return cause("attach_flags has both BPF_F_ALLOW_OVERRIDE and BPF_F_ALLOW_MULTI", "pass one of them");
        if ((flags & Flags.REPLACE) != 0 && (flags & Flags.ALLOW_MULTI) == 0)
            return cause("BPF_F_REPLACE needs BPF_F_ALLOW_MULTI", "add BPF_F_ALLOW_MULTI, or attach without BPF_F_REPLACE");
        String attached = o.fact(Fact.CGROUP_ATTACHED, String.class).orElse(null);
        ObjectSnapshot.ProgObject p = o.prog("attach_bpf_fd").orElse(null);
        if (p == null || attached == null || !attached.matches("(?s).*\\b" + p.id() + "\\b.*")) return null;
        return cause(name(p) + " is already attached to this cgroup at this hook (" + attached + "); a program is attached once per hook",
                "do not attach it twice; to swap programs use BPF_F_REPLACE with replace_bpf_fd");
    }
}
