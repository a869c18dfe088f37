package io.bpf4j.tools.top;

/**
 * One program's counters as read at one moment.
 *
 * @param typeValue       enum bpf_prog_type
 * @param name            the object name (at most 15 bytes, as the kernel keeps it)
 * @param runTimeNs       nanoseconds spent in the program while statistics were on
 * @param runCnt          runs counted while statistics were on
 * @param recursionMisses runs the kernel skipped to prevent recursion; -1 when the kernel does
 *                        not report them (before 5.12)
 * @param atNanos         {@link System#nanoTime()} right after the read
 */
public record ProgReading(int id, int typeValue, String name, long runTimeNs, long runCnt,
                          long recursionMisses, long atNanos) {}
