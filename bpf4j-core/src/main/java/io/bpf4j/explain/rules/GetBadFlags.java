package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O07, OBJ_GET, EINVAL: {@code bpf_get_file_flag()}: BPF_F_RDONLY and BPF_F_WRONLY together, or other bits. */
final class GetBadFlags extends BaseRule {
    GetBadFlags() {
        super("R-O07", on(BpfCommand.OBJ_GET), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int f = o.call().u32("file_flags");
        if ((f & Flags.RDONLY) != 0 && (f & Flags.WRONLY) != 0 || (f & ~(Flags.RDONLY | Flags.WRONLY | Flags.PATH_FD)) != 0)
            return cause("file_flags " + Flags.file(f) + " is not a valid open mode", "pass 0, BPF_F_RDONLY or BPF_F_WRONLY (links need 0)");
        return null;
    }
}
