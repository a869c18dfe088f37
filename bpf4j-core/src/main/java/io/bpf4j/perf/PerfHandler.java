package io.bpf4j.perf;

import java.lang.foreign.MemorySegment;

/**
 * Receives perf buffer samples in place (zero-copy).
 *
 * <p>{@code data} is the raw sample the program passed to {@code bpf_perf_event_output}, followed
 * by the padding the kernel adds so that the size word and the data fill whole u64s: a 5-byte
 * sample arrives as 12 bytes, one whose size is 4 mod 8 arrives exact. The padding bytes are
 * not cleared by the kernel; carry the length in the sample if it matters. The view is only
 * 4-byte aligned (it follows the size word), so read 8-byte fields with
 * {@code JAVA_LONG_UNALIGNED}. It is valid only during the call:
 * afterwards the kernel may overwrite it. A sample that wrapped around the end of its CPU's ring
 * is handed over as a copy, so it is always one contiguous view.
 *
 * <p>An exception thrown by the handler stops the poll and propagates; the sample counts as
 * consumed.
 */
@FunctionalInterface
public interface PerfHandler {
    /** A sample written on {@code cpu}. */
    void onSample(int cpu, MemorySegment data);

    /**
     * The kernel found {@code cpu}'s ring full and dropped {@code count} samples since the last
     * report. The reader counts these whether or not this method is overridden
     * ({@link PerfReader#lost()}).
     */
    default void onLost(int cpu, long count) {}
}
