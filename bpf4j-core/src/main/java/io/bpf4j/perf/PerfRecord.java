package io.bpf4j.perf;

/** A copied perf buffer record: a sample, or the kernel's report of samples it had to drop. */
public sealed interface PerfRecord {
    /** The CPU whose ring held the record. */
    int cpu();

    /** Raw sample bytes, padding included (see {@link PerfHandler}). */
    record Sample(int cpu, byte[] data) implements PerfRecord {}

    /** {@code count} samples were dropped on {@code cpu} because its ring was full (PERF_RECORD_LOST). */
    record Lost(int cpu, long count) implements PerfRecord {}
}
