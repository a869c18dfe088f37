package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O06, OBJ_GET, EACCES: {@code bpf_inode_type()}: the path is not a pinned object (a plain file, a directory, not bpffs). */
final class GetNotBpfObject extends BaseRule {
    GetNotBpfObject() {
        super("R-O06", on(BpfCommand.OBJ_GET), Errno.EACCES);
    }

    @Override
    Cause check(Observation o) {
        String fs = o.fact(Fact.PATH_FS, String.class).orElse("");
        String path = o.string("pathname").orElse("?");
        if (!fs.isEmpty() && !fs.equals(ObjectSnapshot.OtherFile.BPF_FS))
            return cause("\"" + path + "\" is on " + fs + ", not in a BPF filesystem, so it cannot be a pinned object",
                    "open a path inside bpffs where an object is pinned");
        return cause("\"" + path + "\" is not a pinned map, program or link (a directory, or a file that is not a pin)",
                "open the path of a pinned object (or check your permissions on it)");
    }
}
