package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L07, PROG_LOAD, EINVAL: the log attributes: log_buf and log_size must come together, a
 * buffer needs a level, the level must be within BPF_LOG_MASK; before 6.4 ({@code 03cc3aa6a533})
 * the buffer also had to be at least 128 bytes.
 */
final class LogAttributes extends BaseRule {
    LogAttributes() {
        super("R-L07", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        long buf = o.call().get("log_buf");
        int size = o.call().u32("log_size"), level = o.call().u32("log_level");
        String fix = "pass log_buf and log_size together with log_level 1, 2 or 4 (and BPF_LOG_FIXED, 8, on 6.4+), or all three 0";
        if ((buf == 0) != (size == 0))
            return cause("log_buf is " + (buf == 0 ? "NULL" : "set") + " but log_size is " + Integer.toUnsignedString(size), fix);
        if (buf != 0 && level == 0) return cause("a log buffer is given with log_level 0", fix);
        if (buf == 0 && level != 0) return cause("log_level is " + level + " but there is no log buffer", fix);
        if ((level & ~15) != 0) return cause("log_level " + level + " has bits outside the verifier's log levels (1, 2, 4, 8)", fix);
        if (level != 0 && Integer.compareUnsigned(size, 128) < 0 && o.kernel().major() > 0 && !o.kernel().atLeast(6, 4))
            return cause("log_size " + size + " is under 128 bytes, the minimum on this kernel", "give a log buffer of at least 128 bytes",
                    KnownChanges.LOG_NO_MIN_SIZE, "before Linux 6.4");
        return null;
    }
}
