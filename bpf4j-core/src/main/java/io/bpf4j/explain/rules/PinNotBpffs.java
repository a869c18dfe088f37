package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O01, OBJ_PIN, EPERM: {@code bpf_obj_do_pin()}: {@code if (dir->i_op != &bpf_dir_iops) return -EPERM}. */
final class PinNotBpffs extends BaseRule {
    PinNotBpffs() {
        super("R-O01", on(BpfCommand.OBJ_PIN), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        String fs = o.fact(Fact.PATH_PARENT_FS, String.class).orElse("");
        if (fs.isEmpty() || fs.equals(ObjectSnapshot.OtherFile.BPF_FS)) return null;
        String path = o.string("pathname").orElse("?");
        return cause("\"" + path + "\" is not on a BPF filesystem (its directory is on " + fs + "); objects can be pinned only in bpffs",
                "pin under a bpffs mount such as /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)");
    }
}
