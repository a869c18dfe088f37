package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O02, OBJ_PIN, EEXIST: {@code vfs_mkobj()}: something is already pinned (or a directory exists) at the path. */
final class PinExists extends BaseRule {
    PinExists() {
        super("R-O02", on(BpfCommand.OBJ_PIN), Errno.EEXIST);
    }

    @Override
    Cause check(Observation o) {
        return cause("\"" + o.string("pathname").orElse("?") + "\" exists already (an earlier run's pin?)",
                "unlink the old pin first, or open it with BPF_OBJ_GET and reuse it (libbpf's pin_by_name does)");
    }
}
