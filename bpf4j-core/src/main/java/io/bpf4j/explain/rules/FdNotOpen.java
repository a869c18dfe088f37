package io.bpf4j.explain.rules;

import io.bpf4j.explain.AttrField;
import io.bpf4j.explain.AttrLayouts;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G05, EBADF: an fd in the attr is not open in the process ({@code __bpf_map_get()},
 * {@code bpf_prog_get()}, {@code bpf_link_get_from_fd()}: {@code if (!fd_file(f)) return -EBADF}).
 */
final class FdNotOpen extends BaseRule {
    FdNotOpen() {
        super("R-G05", ANY, Errno.EBADF);
    }

    @Override
    Cause check(Observation o) {
        for (AttrField f : AttrLayouts.of(o.call().command())) {
            if (f.kind() != AttrField.Kind.FD && f.kind() != AttrField.Kind.OPT_FD && f.kind() != AttrField.Kind.TARGET) continue;
            if (o.object(f.name()).orElse(null) instanceof ObjectSnapshot.NotOpen n)
                return cause("fd " + n.fd() + " (" + f.name() + ") is not open in your process at the call",
                        "keep the fd open until the call; check close paths, and fds that do not survive exec (BPF fds are O_CLOEXEC)");
        }
        return null;
    }
}
