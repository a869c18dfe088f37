package io.bpf4j.tools.top;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deltas between two readings, without a kernel. */
class TopSampleTest {
    static final long S = 1_000_000_000L;
    static final java.time.Instant T = java.time.Instant.EPOCH;
    static final Holders.Scan NOBODY = new Holders.Scan(Map.of(), List.of());

    static ProgReading r(int id, long runTimeNs, long runCnt, long misses, long at) {
        return new ProgReading(id, 6, "p" + id, runTimeNs, runCnt, misses, at);
    }

    @Test
    void ratesAreTheDeltasOverEachProgramsOwnTimeBetweenReads() {
        TopSample s = TopSample.between(List.of(r(7, 1_000, 10, 3, 100)), 200,
                List.of(r(7, 1_000 + 2_000_000, 10 + 4_000, 5, 100 + 2 * S)), 200 + 2 * S, T, NOBODY, false);
        ProgRate p = s.programs().get(0);
        assertEquals(4_000, p.runCnt());
        assertEquals(2_000_000, p.runTimeNs());
        assertEquals(2 * S, p.intervalNs());
        assertEquals(2_000.0, p.eventsPerSecond(), 1e-9);
        assertEquals(500.0, p.avgRunTimeNs(), 1e-9);
        assertEquals(0.1, p.cpuPercent(), 1e-9); // 2 ms of 2 s
        assertEquals(5, p.recursionMisses());
        assertEquals(2, p.recursionMissesDelta());
        assertFalse(p.sinceLoad());
    }

    @Test
    void aProgramLoadedBetweenReadsCountsFromZeroOverTheWholeInterval() {
        TopSample s = TopSample.between(List.of(r(7, 0, 0, 0, 10)), 10, List.of(r(7, 0, 0, 0, 10 + S), r(9, 300, 3, 0, 10 + S)), 10 + S, T, NOBODY, false);
        ProgRate p = s.programs().get(1);
        assertEquals(9, p.id());
        assertTrue(p.sinceLoad());
        assertEquals(3, p.runCnt());
        assertEquals(S, p.intervalNs());
        assertEquals(3.0, p.eventsPerSecond(), 1e-9);
    }

    @Test
    void countersGoingBackwardsMeanAnotherProgramUnderTheSameId() {
        TopSample s = TopSample.between(List.of(r(7, 5_000, 50, 0, 0)), 0, List.of(r(7, 100, 1, 0, S)), S, T, NOBODY, false);
        assertTrue(s.programs().get(0).sinceLoad());
        assertEquals(1, s.programs().get(0).runCnt());
    }

    @Test
    void noRunsMeansNoAverageAndUnreportedMissesStayUnreported() {
        TopSample s = TopSample.between(List.of(r(7, 0, 0, -1, 0)), 0, List.of(r(7, 0, 0, -1, S)), S, T, NOBODY, false);
        ProgRate p = s.programs().get(0);
        assertEquals(0.0, p.avgRunTimeNs());
        assertEquals(-1, p.recursionMisses());
        assertEquals(-1, p.recursionMissesDelta());
    }

    @Test
    void holdersAreAttachedByIdAndThisProcessIsNotAnOtherStatsHolder() {
        long self = ProcessHandle.current().pid();
        Holders.Scan scan = new Holders.Scan(Map.of(7, List.of(new Holder(42, "agent", false))),
                List.of(new Holder((int) self, "java", false), new Holder(99, "bpftop", false)));
        TopSample s = TopSample.between(List.of(r(7, 0, 0, 0, 0)), 0, List.of(r(7, 0, 0, 0, S), r(8, 0, 0, 0, S)), S, T, scan, true);
        assertEquals(List.of(new Holder(42, "agent", false)), s.programs().get(0).holders());
        assertEquals(List.of(), s.programs().get(1).holders());
        assertEquals(List.of(new Holder(99, "bpftop", false)), s.statsHolders());
        assertTrue(s.sysctlStats());
    }
}
