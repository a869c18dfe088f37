package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-K12, RAW_TRACEPOINT_OPEN, EINVAL: {@code bpf_raw_tp_link_attach()} takes raw tracepoint
 * programs (and tracing/extension/LSM programs by their own rules), nothing else.
 */
final class RawTracepointProgType extends BaseRule {
    RawTracepointProgType() {
        super("R-K12", on(BpfCommand.RAW_TRACEPOINT_OPEN), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.ProgObject p = o.prog("prog_fd").orElse(null);
        if (p == null || p.isType(ProgType.RAW_TRACEPOINT) || p.isType(ProgType.RAW_TRACEPOINT_WRITABLE) || p.isType(ProgType.TRACING)
                || p.isType(ProgType.EXT) || p.isType(ProgType.LSM)) return null;
        return cause(name(p) + " is " + p.typeName() + "; a raw tracepoint takes BPF_PROG_TYPE_RAW_TRACEPOINT programs",
                "load the program as BPF_PROG_TYPE_RAW_TRACEPOINT (SEC(\"raw_tp/NAME\")), or attach it the way its type attaches");
    }
}
