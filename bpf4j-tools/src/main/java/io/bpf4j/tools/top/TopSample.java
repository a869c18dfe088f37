package io.bpf4j.tools.top;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One sample of every program: the differences between two readings.
 *
 * @param intervalNs   time between the two walks over all programs
 * @param atNanos      {@link System#nanoTime()} at the end of the second walk
 * @param time         the wall-clock time of the end of the second walk
 * @param programs     ascending by id
 * @param statsHolders other processes that keep run-time statistics on (BPF_ENABLE_STATS fds):
 *                     while any does, statistics stay on after top exits
 * @param sysctlStats  {@code kernel.bpf_stats_enabled} is 1: statistics stay on after top exits
 */
public record TopSample(long intervalNs, long atNanos, java.time.Instant time, List<ProgRate> programs, List<Holder> statsHolders,
                        boolean sysctlStats) {

    /**
     * The differences between two readings of all programs, each program over the time between
     * its own two reads. A program absent from {@code before} was loaded after that walk listed
     * the ids: its counters started at 0 at load, with statistics already on, so all of them are
     * the interval's ({@link ProgRate#sinceLoad()}). Counters that went backwards (an id reused
     * after the id space wrapped) also make a new program. {@code holders} is a walk over /proc
     * made after {@code now}'s reads.
     */
    public static TopSample between(List<ProgReading> before, long beforeAt, List<ProgReading> now, long nowAt,
                                    java.time.Instant time, Holders.Scan holders, boolean sysctlStats) {
        Map<Integer, ProgReading> prev = new HashMap<>();
        for (ProgReading r : before) prev.put(r.id(), r);
        long interval = nowAt - beforeAt;
        List<ProgRate> out = new ArrayList<>(now.size());
        for (ProgReading r : now) {
            ProgReading p = prev.get(r.id());
            boolean fresh = p == null || r.runCnt() < p.runCnt() || r.runTimeNs() < p.runTimeNs() || p.typeValue() != r.typeValue();
            long cnt = fresh ? r.runCnt() : r.runCnt() - p.runCnt();
            long ns = fresh ? r.runTimeNs() : r.runTimeNs() - p.runTimeNs();
            long dt = fresh ? interval : r.atNanos() - p.atNanos();
            long missesDelta = r.recursionMisses() < 0 ? -1
                    : fresh ? r.recursionMisses() : Math.max(0, r.recursionMisses() - p.recursionMisses());
            out.add(new ProgRate(r.id(), r.typeValue(), r.name(), cnt, ns, dt, r.recursionMisses(), missesDelta, fresh,
                    List.copyOf(holders.programs().getOrDefault(r.id(), List.of()))));
        }
        long self = ProcessHandle.current().pid();
        List<Holder> others = holders.stats().stream().filter(h -> h.pid() != self).toList();
        return new TopSample(interval, nowAt, time, out, others, sysctlStats);
    }
}
