package io.bpf4j.tools.top;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The last minute of rates, resampled into buckets. */
class RateHistoryTest {
    static final long S = 1_000_000_000L;

    static TopSample sample(long atNs, long intervalNs, long... idAndCount) {
        List<ProgRate> rs = new java.util.ArrayList<>();
        for (int i = 0; i < idAndCount.length; i += 2)
            rs.add(new ProgRate((int) idAndCount[i], 6, "p", idAndCount[i + 1], 0, intervalNs, 0, 0, false, List.of()));
        return new TopSample(intervalNs, atNs, java.time.Instant.EPOCH, rs, List.of(), false);
    }

    @Test
    void bucketsBeforeTheFirstSampleAreEmptyAndLaterOnesHoldTheRate() {
        RateHistory h = new RateHistory(60 * S);
        long t0 = 1000 * S;
        for (int i = 1; i <= 30; i++) h.add(sample(t0 + i * S, S, 7, 100));
        double[] b = h.buckets(7, t0 + 30 * S, 6); // 10 s per bucket; the last 30 s covered
        for (int i = 0; i < 3; i++) assertTrue(Double.isNaN(b[i]), "bucket " + i + " before the first sample: " + b[i]);
        for (int i = 3; i < 6; i++) assertEquals(100.0, b[i], 1e-9);
    }

    @Test
    void aBucketIsTheTimeWeightedMeanOfTheSamplesCoveringIt() {
        RateHistory h = new RateHistory(4 * S);
        long t0 = 100 * S;
        h.add(sample(t0 + S, S, 7, 10));
        h.add(sample(t0 + 2 * S, S, 7, 30));
        h.add(sample(t0 + 4 * S, 2 * S, 7, 200)); // 100/s over two seconds
        assertArrayEquals(new double[] {20, 100}, h.buckets(7, t0 + 4 * S, 2), 1e-9);
        assertArrayEquals(new double[] {10, 30, 100, 100}, h.buckets(7, t0 + 4 * S, 4), 1e-9);
    }

    @Test
    void oldSamplesAndGoneProgramsAreForgotten() {
        RateHistory h = new RateHistory(2 * S);
        h.add(sample(S, S, 7, 5, 8, 5));
        h.add(sample(10 * S, S, 7, 1));
        double[] b = h.buckets(7, 10 * S, 2);
        assertTrue(Double.isNaN(b[0]));
        assertEquals(1.0, b[1], 1e-9);
        assertTrue(Double.isNaN(h.buckets(8, 10 * S, 1)[0]), "program 8 is gone");
    }
}
