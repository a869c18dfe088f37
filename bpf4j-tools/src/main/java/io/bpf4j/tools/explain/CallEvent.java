package io.bpf4j.tools.explain;

import io.bpf4j.explain.BpfCall;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One bpf() call as explain.bpf.c saw it: the arguments, the attr (copied at the syscall's exit,
 * before the caller runs again), the result,
 * and the signal it sent to stop the thread (0 for none).
 */
public record CallEvent(long timeNs, long attrAddress, long arg4, long arg5, long ret, int tgid, int tid, int rawCmd, int size,
                        int signal, byte[] attr) {
    /** Bytes of struct event in explain.bpf.c. */
    public static final int SIZE = 232;
    static final int ATTR_COPY = 168;

    public CallEvent {
        attr = attr.clone();
    }

    public static CallEvent parse(MemorySegment s) {
        if (s.byteSize() < SIZE) throw new IllegalArgumentException("explain event of " + s.byteSize() + " bytes, not " + SIZE);
        int copied = Math.min(s.get(JAVA_INT_UNALIGNED, 60), ATTR_COPY);
        byte[] attr = s.asSlice(64, Math.max(0, copied)).toArray(JAVA_BYTE);
        return new CallEvent(s.get(JAVA_LONG_UNALIGNED, 0), s.get(JAVA_LONG_UNALIGNED, 8), s.get(JAVA_LONG_UNALIGNED, 16),
                s.get(JAVA_LONG_UNALIGNED, 24), s.get(JAVA_LONG_UNALIGNED, 32), s.get(JAVA_INT_UNALIGNED, 40),
                s.get(JAVA_INT_UNALIGNED, 44), s.get(JAVA_INT_UNALIGNED, 48), s.get(JAVA_INT_UNALIGNED, 52),
                s.get(JAVA_INT_UNALIGNED, 56), attr);
    }

    public boolean failed() {
        return ret < 0;
    }

    /**
     * ENOENT from BPF_MAP_GET_NEXT_KEY or a *_GET_NEXT_ID: the end of a walk, which every walk
     * ends with; not a failure to explain (explain.bpf.c does not stop for it either).
     */
    public boolean endOfWalk() {
        return ret == -2 && (rawCmd == 4 || rawCmd == 11 || rawCmd == 12 || rawCmd == 23 || rawCmd == 31);
    }

    public int errno() {
        return ret < 0 ? (int) -ret : 0;
    }

    /** The call, from the attr as copied. */
    public BpfCall call() {
        return BpfCall.of(Integer.toUnsignedLong(rawCmd), attrAddress, attr, Integer.toUnsignedLong(size));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallEvent e && e.timeNs == timeNs && e.tid == tid && Arrays.equals(e.attr, attr);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timeNs) * 31 + tid;
    }
}
