package io.bpf4j.tools.top;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Each program's rate over a recent window (a minute for top's sparklines): the samples as
 * segments of time with a constant rate, resampled into as many buckets as there is room for.
 * A bucket is the time-weighted mean of the rates that cover it, so a sample interval longer
 * or shorter than a bucket draws the same picture. Thread-safe: one thread adds samples while
 * another draws.
 */
public final class RateHistory {
    private final long windowNs;
    private final Map<Integer, ArrayDeque<Segment>> byId = new HashMap<>();

    record Segment(long fromNs, long toNs, double rate) {}

    public RateHistory(long windowNs) {
        if (windowNs <= 0) throw new IllegalArgumentException("window must be positive");
        this.windowNs = windowNs;
    }

    public long windowNs() {
        return windowNs;
    }

    /** Adds a sample's rates and forgets programs that are gone and segments older than the window. */
    public synchronized void add(TopSample s) {
        Set<Integer> seen = new HashSet<>();
        for (ProgRate r : s.programs()) {
            seen.add(r.id());
            ArrayDeque<Segment> q = byId.computeIfAbsent(r.id(), k -> new ArrayDeque<>());
            q.addLast(new Segment(s.atNanos() - r.intervalNs(), s.atNanos(), r.eventsPerSecond()));
            while (!q.isEmpty() && q.peekFirst().toNs() <= s.atNanos() - windowNs) q.removeFirst();
        }
        byId.keySet().retainAll(seen);
    }

    /**
     * The program's rate in {@code n} equal buckets ending at {@code nowNs}, oldest first; NaN
     * where no sample covers a bucket (before the program or top started).
     */
    public synchronized double[] buckets(int id, long nowNs, int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        ArrayDeque<Segment> q = byId.get(id);
        if (q == null || n <= 0) return out;
        long start = nowNs - windowNs;
        for (int b = 0; b < n; b++) {
            long from = start + windowNs * b / n, to = start + windowNs * (b + 1) / n;
            double sum = 0;
            long covered = 0;
            for (Segment g : q) {
                long lo = Math.max(from, g.fromNs()), hi = Math.min(to, g.toNs());
                if (hi <= lo) continue;
                sum += g.rate() * (hi - lo);
                covered += hi - lo;
            }
            if (covered > 0) out[b] = sum / covered;
        }
        return out;
    }
}
