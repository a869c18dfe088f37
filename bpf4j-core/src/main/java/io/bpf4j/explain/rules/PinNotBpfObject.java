package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O04, OBJ_PIN, EINVAL: {@code bpf_fd_probe_obj()}: bpf_fd must be a map, program or link. */
final class PinNotBpfObject extends BaseRule {
    PinNotBpfObject() {
        super("R-O04", on(BpfCommand.OBJ_PIN), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot obj = o.object("bpf_fd").orElse(null);
        if (obj == null || obj instanceof ObjectSnapshot.MapObject || obj instanceof ObjectSnapshot.ProgObject
                || obj instanceof ObjectSnapshot.LinkObject || obj instanceof ObjectSnapshot.NotOpen) return null;
        return cause("bpf_fd " + obj.fd() + " is " + kind(obj) + "; only maps, programs and links can be pinned",
                "pass the fd of a map, program or link");
    }
}
