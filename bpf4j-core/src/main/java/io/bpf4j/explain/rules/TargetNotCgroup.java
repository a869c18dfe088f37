package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-K02, PROG_ATTACH/LINK_CREATE with a cgroup attach type, EBADF/EINVAL:
 * {@code cgroup_get_from_fd()}: target_fd must be an open cgroup v2 directory.
 */
final class TargetNotCgroup extends BaseRule {
    TargetNotCgroup() {
        super("R-K02", on(BpfCommand.PROG_ATTACH, BpfCommand.PROG_DETACH, BpfCommand.LINK_CREATE, BpfCommand.PROG_QUERY),
                Errno.EBADF, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        AttachType a = AttachType.of(o.call().u32("attach_type"));
        if (a == null || !Families.cgroupAttach(a)) return null;
        ObjectSnapshot t = o.object("target_fd").orElse(null);
        String fix = "pass an fd of a cgroup v2 directory (open(\"/sys/fs/cgroup/...\", O_RDONLY | O_DIRECTORY); on hosts "
                + "with a hybrid hierarchy cgroup2 is at /sys/fs/cgroup/unified)";
        if (t instanceof ObjectSnapshot.NotOpen n)
            return cause("target_fd " + n.fd() + " is not open; " + a.kernelName() + " attaches to a cgroup", fix);
        if (t instanceof ObjectSnapshot.OtherFile f && !f.fsType().equals(ObjectSnapshot.OtherFile.CGROUP2))
            return cause("target_fd " + f.fd() + " is " + f.path() + (f.fsType().equals("cgroup") ? " (a cgroup v1 directory)" : "")
                    + ", not a cgroup v2 directory; " + a.kernelName() + " attaches to a cgroup", fix);
        if (t != null && !(t instanceof ObjectSnapshot.OtherFile))
            return cause("target_fd " + t.fd() + " is " + kind(t) + ", not a cgroup v2 directory", fix);
        return null;
    }
}
