package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-K10, LINK_CREATE on a cgroup hook, EINVAL: {@code cgroup_bpf_link_attach()} accepts only
 * the link attach flags (BPF_F_BEFORE/AFTER/ID/LINK...), not PROG_ATTACH's ALLOW_OVERRIDE,
 * ALLOW_MULTI or REPLACE: a cgroup link is always "multi".
 */
final class CgroupLinkFlags extends BaseRule {
    CgroupLinkFlags() {
        super("R-K10", on(BpfCommand.LINK_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        AttachType a = AttachType.of(o.call().u32("attach_type"));
        int flags = o.call().u32("flags");
        if (a == null || !Families.cgroupAttach(a) || (flags & (Flags.ALLOW_OVERRIDE | Flags.ALLOW_MULTI | Flags.REPLACE)) == 0) return null;
        return cause("a cgroup link takes no " + Flags.attach(flags & (Flags.ALLOW_OVERRIDE | Flags.ALLOW_MULTI | Flags.REPLACE))
                        + ": those are BPF_PROG_ATTACH flags, and links are always attached as \"multi\"",
                "create the link with flags 0 (or BPF_F_BEFORE/BPF_F_AFTER on 6.12+), and use BPF_LINK_UPDATE to replace");
    }
}
