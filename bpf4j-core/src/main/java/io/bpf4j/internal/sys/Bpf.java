package io.bpf4j.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * bpf(2) with a per-thread scratch attr, so hot map operations do not allocate. Results are raw:
 * a negative value is {@code -errno}; {@code io.bpf4j} turns them into exceptions.
 */
public final class Bpf {
    private Bpf() {}

    /** Large enough for every attr in {@link Layouts}. */
    static final int SCRATCH_SIZE = 256;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE, 8));

    /**
     * A zeroed per-thread attr buffer of {@code size} bytes. Valid until the next call on this
     * thread; never hand it to another thread.
     */
    public static MemorySegment attr(long size) {
        MemorySegment s = SCRATCH.get();
        return s.asSlice(0, size).fill((byte) 0);
    }

    /** bpf(cmd, attr, size) for the kernel's command number {@code cmd}: the result, or {@code -errno}. */
    public static long call(int cmd, MemorySegment attr) {
        return Syscalls.bpf(cmd, attr, (int) attr.byteSize());
    }
}
