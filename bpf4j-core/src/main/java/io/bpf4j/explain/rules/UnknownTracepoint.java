package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-K11, RAW_TRACEPOINT_OPEN, ENOENT: {@code bpf_get_raw_tracepoint()} knows no tracepoint of that name. */
final class UnknownTracepoint extends BaseRule {
    UnknownTracepoint() {
        super("R-K11", on(BpfCommand.RAW_TRACEPOINT_OPEN), Errno.ENOENT);
    }

    @Override
    Cause check(Observation o) {
        String name = o.string("name").orElse(null);
        if (name == null || Boolean.TRUE.equals(o.fact(Fact.TRACEPOINT_EXISTS, Boolean.class).orElse(null))) return null;
        return cause("this kernel has no raw tracepoint \"" + name + "\"",
                "check the name (the part after the category: sys_enter, sched_switch), and load the module that defines it");
    }
}
