package io.bpf4j.cli.top;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Number formats, the sparkline and --interval values. */
class TopTableTest {
    @Test
    void sparklineScalesToItsLargestBucketAndLeavesNoDataBlank() {
        assertEquals("  ▁▂▄█", TopTable.sparkline(new double[] {Double.NaN, 0, 1, 2, 4, 8}));
        assertEquals("███", TopTable.sparkline(new double[] {5, 5, 5}));
        assertEquals("   ", TopTable.sparkline(new double[] {0, 0, Double.NaN}));
        assertEquals("▁█", TopTable.sparkline(new double[] {0.001, 1000}), "a rate above zero is never blank");
        assertEquals("▁▂▃▄▅▆▇█", TopTable.sparkline(new double[] {1, 2, 3, 4, 5, 6, 7, 8}));
    }

    @Test
    void numbersKeepTheirPrecisionWhereItMatters() {
        assertEquals("0", TopTable.rate(0));
        assertEquals("0.50", TopTable.rate(0.5));
        assertEquals("12.3", TopTable.rate(12.34));
        assertEquals("2001", TopTable.rate(2000.6));
        assertEquals("0", TopTable.cpu(0));
        assertEquals("0.0012", TopTable.cpu(0.00123));
        assertEquals("12.35", TopTable.cpu(12.345));
        assertEquals("socket_filter", TopTable.typeName(1));
        assertEquals("type 999", TopTable.typeName(999));
    }

    @Test
    void intervalsInTheUnitsUsersWrite() {
        assertEquals(1_000_000_000L, Interval.parse("1s"));
        assertEquals(1_000_000_000L, Interval.parse("1"));
        assertEquals(500_000_000L, Interval.parse("500ms"));
        assertEquals(2_500_000_000L, Interval.parse("2.5s"));
        assertEquals(60_000_000_000L, Interval.parse("1m"));
        assertEquals(100_000_000L, Interval.parse("0.1"));
        for (String bad : new String[] {"0", "-1", "abc", "", "1h", "99ms", "61m", "1e3", "1.s", ".5", "NaN", "1 s", "99999999999"})
            assertThrows(IllegalArgumentException.class, () -> Interval.parse(bad), bad);
    }
}
