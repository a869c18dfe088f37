package io.bpf4j;


import io.bpf4j.internal.sys.Bpf;

import java.lang.foreign.MemorySegment;

/**
 * bpf(2) for this package's classes, with failures turned into {@link BpfException}s: the twin
 * of {@code io.bpf4j.internal.BpfCalls}, which the packages above this one use.
 */
final class Calls {
    private Calls() {}

    /** bpf(cmd, attr, size): the result, or {@code -errno}. */
    static long call(BpfCommand cmd, MemorySegment attr) {
        return Bpf.call(cmd.value(), attr);
    }

    /** bpf(cmd, attr, size), throwing for a negative result; {@code op} names the operation. */
    static long check(BpfCommand cmd, MemorySegment attr, String op) {
        long r = call(cmd, attr);
        if (r < 0) throw BpfException.of(op, cmd, (int) -r, attr);
        return r;
    }

    /** bpf(cmd...) returning a new object fd, owned by the caller. */
    static Fd fd(BpfCommand cmd, MemorySegment attr, String op) {
        return Fd.adopt((int) check(cmd, attr, op), op);
    }
}
