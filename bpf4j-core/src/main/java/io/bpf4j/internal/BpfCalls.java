package io.bpf4j.internal;

import io.bpf4j.BpfCommand;
import io.bpf4j.BpfException;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Bpf;

import java.lang.foreign.MemorySegment;

/**
 * bpf(2) with failures as the library's {@link BpfException}s, for the packages above
 * {@code io.bpf4j} (links, the tools). The root package has its own package-private twin,
 * since it cannot depend on this one without a cycle.
 */
public final class BpfCalls {
    private BpfCalls() {}

    /** bpf(cmd, attr, size), throwing for a negative result; {@code op} names the operation. */
    public static long check(BpfCommand cmd, MemorySegment attr, String op) {
        long r = Bpf.call(cmd.value(), attr);
        if (r < 0) throw BpfException.of(op, cmd, (int) -r, attr);
        return r;
    }

    /** bpf(cmd...) returning a new object fd, owned by the caller. */
    public static Fd fd(BpfCommand cmd, MemorySegment attr, String op) {
        return Fd.adopt((int) check(cmd, attr, op), op);
    }
}
