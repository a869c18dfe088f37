package io.bpf4j.tools.top;

import io.bpf4j.BpfStats;

import java.util.List;

/**
 * Samples every loaded program for bpf4j top: turns run-time statistics on for as long as it is
 * open (see {@link BpfStats}: they go off when it closes or this process dies), reads all
 * programs' counters, and turns each pair of readings into a {@link TopSample} with the holders
 * of each program and the last minute of rates.
 *
 * <p>Requires at least Linux 5.8 and CAP_SYS_ADMIN.
 */
public final class TopSampler implements AutoCloseable {
    /** The sparkline's window. */
    public static final long HISTORY_NS = 60_000_000_000L;

    private final BpfStats stats;
    private final ProgReader reader = new ProgReader();
    private final RateHistory history = new RateHistory(HISTORY_NS);
    private List<ProgReading> last;
    private long lastAt;
    private Holders.Scan scan;
    private long scanAt, scanCost;

    private TopSampler(BpfStats stats) {
        this.stats = stats;
    }

    /**
     * Turns statistics on and takes the first reading, the base of the first sample.
     *
     * @throws io.bpf4j.BpfException where the kernel lacks BPF_ENABLE_STATS (before 5.8) or
     *                               refuses it (no CAP_SYS_ADMIN), with a hint that says which
     */
    public static TopSampler start() {
        BpfStats stats = BpfStats.enableRunTime();
        try {
            TopSampler s = new TopSampler(stats);
            s.last = s.reader.readAll();
            s.lastAt = System.nanoTime();
            return s;
        } catch (RuntimeException e) {
            stats.close();
            throw e;
        }
    }

    /** Reads all programs again and returns what each did since the previous reading. One thread at a time. */
    public TopSample sample() {
        List<ProgReading> now = reader.readAll();
        long at = System.nanoTime();
        java.time.Instant time = java.time.Instant.now();
        TopSample s = TopSample.between(last, lastAt, now, at, time, holders(now), BpfStats.sysctlEnabled().orElse(false));
        last = now;
        lastAt = at;
        history.add(s);
        return s;
    }

    /**
     * The holders, walked again when a program appeared since the last reading, and otherwise
     * when the last walk is ten times its own cost old: a walk reads the fdinfo of every BPF fd
     * of every process, ~1 s of CPU here for one process holding 5000 programs, so holder
     * changes without new programs can show that late, and the walks stay under a tenth of the
     * time. Called after the reading: every program fd top opened is closed by then.
     */
    private Holders.Scan holders(List<ProgReading> now) {
        boolean appeared = false;
        java.util.Set<Integer> before = new java.util.HashSet<>();
        for (ProgReading r : last) before.add(r.id());
        for (ProgReading r : now) appeared |= !before.contains(r.id());
        long t = System.nanoTime();
        if (scan == null || appeared || t - scanAt >= 10 * scanCost) {
            scan = Holders.scan();
            scanAt = System.nanoTime();
            scanCost = scanAt - t;
        }
        return scan;
    }

    /** The last minute of rates, for any thread. */
    public RateHistory history() {
        return history;
    }

    /** Turns this holder's statistics off. */
    @Override
    public void close() {
        stats.close();
    }
}
