package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O05, OBJ_GET, ENOENT: nothing is pinned at the path ({@code kern_path()}). */
final class GetNotPinned extends BaseRule {
    GetNotPinned() {
        super("R-O05", on(BpfCommand.OBJ_GET), Errno.ENOENT);
    }

    @Override
    Cause check(Observation o) {
        return cause("nothing is pinned at \"" + o.string("pathname").orElse("?") + "\"",
                "pin the object first (is the program that pins it running?), or fix the path");
    }
}
