package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-T04, PROG_TEST_RUN, ENOSPC: {@code bpf_test_finish()}: the output packet did not fit data_size_out (the kernel wrote the size needed). */
final class TestRunOutputTooSmall extends BaseRule {
    TestRunOutputTooSmall() {
        super("R-T04", on(BpfCommand.PROG_TEST_RUN), Errno.ENOSPC);
    }

    @Override
    Cause check(Observation o) {
        if (o.call().get("data_out") == 0) return null;
        return cause("the program's output packet does not fit the " + Integer.toUnsignedString(o.call().u32("data_size_out"))
                        + "-byte data_out buffer (the kernel copied what fit and set data_size_out to the size needed)",
                "pass a data_out buffer at least as large as data_size_in (plus what the program adds)");
    }
}
