package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-K06, PROG_DETACH, ENOENT: {@code find_detach_entry()}: nothing (or not this program) is attached there. */
final class NothingToDetach extends BaseRule {
    NothingToDetach() {
        super("R-K06", on(BpfCommand.PROG_DETACH), Errno.ENOENT);
    }

    @Override
    Cause check(Observation o) {
        return cause("nothing" + (o.call().u32("attach_bpf_fd") != 0 ? ", or not this program," : "") + " is attached to the target at "
                        + AttachType.nameOf(o.call().u32("attach_type")),
                "nothing to detach: check the attach type and the target fd");
    }
}
