package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-T01, PROG_TEST_RUN, ENOTSUPP (524): the program type has no {@code test_run} operation. */
final class TestRunUnsupported extends BaseRule {
    TestRunUnsupported() {
        super("R-T01", on(BpfCommand.PROG_TEST_RUN), Errno.ENOTSUPP);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.ProgObject p = o.prog("prog_fd").orElse(null);
        if (p == null) return null;
        ProgType t = ProgType.of(p.type());
        if (t != null && Families.TEST_RUN.contains(t)) return null;
        return cause(p.typeName() + " programs cannot be run with BPF_PROG_TEST_RUN (" + name(p) + ")",
                "test the logic in a type that can run (socket filter, XDP, tc, raw tracepoint, syscall), or trigger the real hook");
    }
}
