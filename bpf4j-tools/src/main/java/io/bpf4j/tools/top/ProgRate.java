package io.bpf4j.tools.top;

import io.bpf4j.ProgType;

import java.util.List;

/**
 * What one program did between two readings.
 *
 * @param runCnt                runs in the interval
 * @param runTimeNs             nanoseconds spent running in the interval
 * @param intervalNs            time between this program's two readings
 * @param recursionMisses       the kernel's total since load, -1 where the kernel does not report it
 * @param recursionMissesDelta  misses in the interval, -1 where the kernel does not report them
 * @param sinceLoad             the program was loaded during the interval: the counts are since its
 *                              load, and the rates are over the whole interval
 * @param holders               processes holding a program or link fd of it; empty when only the
 *                              kernel holds it (an attachment, a prog array, a pin, a link without fd)
 */
public record ProgRate(int id, int typeValue, String name, long runCnt, long runTimeNs, long intervalNs,
                       long recursionMisses, long recursionMissesDelta, boolean sinceLoad, List<Holder> holders) {

    /** {@code BPF_PROG_TYPE_XDP} style name. */
    public String typeName() {
        return ProgType.nameOf(typeValue);
    }

    /** Runs per second. */
    public double eventsPerSecond() {
        return intervalNs <= 0 ? 0 : runCnt * 1e9 / intervalNs;
    }

    /** Mean nanoseconds per run in the interval; 0 without runs. */
    public double avgRunTimeNs() {
        return runCnt == 0 ? 0 : (double) runTimeNs / runCnt;
    }

    /** Share of one CPU spent in the program, in percent (can exceed 100 on several CPUs). */
    public double cpuPercent() {
        return intervalNs <= 0 ? 0 : runTimeNs * 100.0 / intervalNs;
    }
}
