package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L06, PROG_LOAD, ENOSPC: the verifier's log did not fit in the loader's buffer, and the
 * kernel fails the load then, even for a program it accepted. 6.4+ keeps the log's end
 * ({@code 1216640938035e}) and reports the size needed in log_true_size ({@code 47a71c1f9af0}).
 */
final class LogTooSmall extends BaseRule {
    LogTooSmall() {
        super("R-L06", on(BpfCommand.PROG_LOAD), Errno.ENOSPC);
    }

    @Override
    Cause check(Observation o) {
        if (o.call().u32("log_level") == 0) return null;
        Integer need = o.fact(Fact.LOG_TRUE_SIZE, Integer.class).orElse(null);
        return cause("the verifier log did not fit in the " + Integer.toUnsignedString(o.call().u32("log_size")) + "-byte buffer"
                        + (need != null && need > 0 ? " (it needed " + need + " bytes)" : "")
                        + ", and the kernel fails the load when the log is cut, even if the program is fine",
                "give a larger log buffer (libbpf retries with a larger one), a lower log_level, or log_level 0 in production",
                KnownChanges.LOG_TRUE_SIZE, null);
    }
}
