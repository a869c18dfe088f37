package io.bpf4j.cli.top;

import io.bpf4j.tools.top.Holder;
import io.bpf4j.tools.top.ProgRate;
import io.bpf4j.tools.top.RateHistory;
import io.bpf4j.tools.top.TopSample;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live view's keys and frames as strings, without a terminal. */
class TopScreenTest {
    static final long S = 1_000_000_000L;

    static ProgRate p(int id, String name, long runs, long ns, List<Holder> holders) {
        return new ProgRate(id, 6, name, runs, ns, S, 0, 0, false, holders);
    }

    // fast: many cheap runs; slow: few costly runs; idle: none.
    static final TopSample SAMPLE = new TopSample(S, 100 * S, Instant.EPOCH, List.of(
            p(3, "fast", 5000, 500_000, List.of(new Holder(42, "agent", false))),
            p(5, "slow", 100, 2_000_000, List.of(new Holder(7, "loader", true))),
            p(9, "idle", 0, 0, List.of())), List.of(), false);

    /** The frame's lines without escapes. */
    static List<String> lines(TopScreen s, TopSample sample, RateHistory h, int rows, int cols) {
        String f = s.frame(sample, h, rows, cols, LocalTime.of(12, 34, 56));
        assertTrue(f.startsWith(TopScreen.HOME) && f.endsWith(TopScreen.CLEAR_BELOW));
        List<String> out = f.replaceAll("\033\\[[0-9;?]*[A-Za-z]", "").lines().toList();
        assertEquals(rows, out.size(), "a frame fills the screen: " + out);
        for (String l : out) assertTrue(l.length() <= cols, "longer than " + cols + ": " + l);
        return out;
    }

    static List<String> names(List<String> lines) {
        return lines.subList(TopScreen.ABOVE, lines.size() - TopScreen.BELOW).stream()
                .filter(l -> !l.isBlank()).map(l -> l.trim().split("\\s+")[2]).toList();
    }

    @Test
    void sKeyCyclesTheOrderThroughRuntimeRateAndAvg() {
        TopScreen s = new TopScreen(S, Sort.RUNTIME);
        assertEquals(List.of("slow", "fast", "idle"), names(lines(s, SAMPLE, null, 10, 120)));
        assertTrue(lines(s, SAMPLE, null, 10, 120).get(0).contains("sort: runtime"));
        assertTrue(s.keys("s", 5));
        assertEquals(Sort.RATE, s.sort);
        assertEquals(List.of("fast", "slow", "idle"), names(lines(s, SAMPLE, null, 10, 120)));
        s.keys("s", 5);
        assertEquals(Sort.AVG, s.sort);
        assertEquals(List.of("slow", "fast", "idle"), names(lines(s, SAMPLE, null, 10, 120))); // 20000 ns vs 100 ns
        s.keys("s", 5);
        assertEquals(Sort.RUNTIME, s.sort);
    }

    @Test
    void slashStartsAFilterThatEnterKeepsAndEscapeClears() {
        TopScreen s = new TopScreen(S, Sort.RATE);
        s.keys("/sl", 5);
        assertEquals("sl", s.filter);
        List<String> editing = lines(s, SAMPLE, null, 10, 120);
        assertEquals(List.of("slow"), names(editing));
        assertTrue(editing.get(editing.size() - 1).startsWith("filter: sl_"), editing.toString());
        s.keys("x\177ow\r", 5); // a typo, backspace, the rest, Enter
        assertNull(s.editing);
        assertEquals("slow", s.filter);
        List<String> kept = lines(s, SAMPLE, null, 10, 120);
        assertTrue(kept.get(0).endsWith("filter: slow"), kept.get(0));
        assertTrue(kept.get(1).startsWith("3 programs, 1 match"), kept.get(1));
        assertTrue(s.keys("\033", 5)); // Esc drops the kept filter
        assertEquals("", s.filter);
        assertEquals(3, names(lines(s, SAMPLE, null, 10, 120)).size());

        s.keys("/FA", 5); // case-insensitive
        assertEquals(List.of("fast"), names(lines(s, SAMPLE, null, 10, 120)));
        s.keys("\033", 5); // Esc while typing drops it too
        assertNull(s.editing);
        assertEquals("", s.filter);
        s.keys("/zzz\r", 5);
        assertTrue(lines(s, SAMPLE, null, 10, 120).get(TopScreen.ABOVE).contains("no program name contains 'zzz'"));
    }

    @Test
    void qQuitsButNotWhileTypingAFilter() {
        TopScreen s = new TopScreen(S, Sort.RATE);
        s.keys("/q", 5);
        assertFalse(s.quit);
        assertEquals("q", s.filter);
        s.keys("\rq", 5);
        assertTrue(s.quit);
        assertFalse(new TopScreen(S, Sort.RATE).keys("x", 5), "an unbound key changes nothing");
    }

    @Test
    void arrowsScrollWithinTheList() {
        TopScreen s = new TopScreen(S, Sort.RATE);
        // 6 rows: title, summary, header, two table rows, footer.
        assertEquals(List.of("fast", "slow"), names(lines(s, SAMPLE, null, 6, 120)));
        s.keys("\033[B", 2);
        assertEquals(List.of("slow", "idle"), names(lines(s, SAMPLE, null, 6, 120)));
        s.keys("\033[B\033[B\033[6~", 2); // past the end stops at the last page
        assertEquals(List.of("slow", "idle"), names(lines(s, SAMPLE, null, 6, 120)));
        s.keys("\033[A\033[A", 2);
        assertEquals(List.of("fast", "slow"), names(lines(s, SAMPLE, null, 6, 120)));
    }

    @Test
    void rowsShowRatesHoldersAndTheSparklineOfTheLastMinute() {
        RateHistory h = new RateHistory(60 * S);
        for (int i = 1; i <= 60; i++) {
            long runs = i <= 30 ? 100 : 5000; // 100/s for half a minute, then 5000/s
            h.add(new TopSample(S, i * S, Instant.EPOCH, List.of(p(3, "fast", runs, 1, List.of())), List.of(), false));
        }
        TopSample now = new TopSample(S, 60 * S, Instant.EPOCH, SAMPLE.programs(), List.of(), false);
        TopScreen s = new TopScreen(S, Sort.RATE);
        List<String> l = lines(s, now, h, 10, 140);
        assertTrue(l.get(2).contains("RATE 60s") && l.get(2).contains("HOLDERS"), l.get(2));
        String fast = l.get(TopScreen.ABOVE);
        assertTrue(fast.matches("\\s+3 xdp\\s+fast\\s+5000\\s+100\\s+0\\.05\\s+0 .*"), fast);
        int spark = TopTable.sparkWidth(140);
        assertEquals("▁".repeat(spark / 2) + "█".repeat(spark / 2), fast.substring(TopTable.HEAD.length() + 1, TopTable.HEAD.length() + 1 + spark));
        assertTrue(fast.endsWith(" 42 agent"), fast);
        assertTrue(l.get(TopScreen.ABOVE + 1).endsWith(" 7 loader (link)"));
        assertTrue(l.get(TopScreen.ABOVE + 2).endsWith(" -"), "idle is held by no process");
        assertTrue(l.get(l.size() - 1).contains("HOLDERS -: held by no process"));
        assertTrue(l.get(1).startsWith("3 programs  events/s 5100  CPU% 0.25  run-time stats on while top runs"), l.get(1));
    }

    @Test
    void framesFitSmallAndResizedTerminals() {
        TopScreen s = new TopScreen(S, Sort.RATE);
        lines(s, SAMPLE, new RateHistory(60 * S), 24, 80);
        lines(s, SAMPLE, new RateHistory(60 * S), 5, 40);
        lines(s, SAMPLE, new RateHistory(60 * S), 50, 250);
        List<String> waiting = lines(s, null, null, 8, 100);
        assertTrue(waiting.get(1).startsWith("run-time stats are on while top runs; first sample in 1s"), waiting.get(1));
        assertEquals(0, TopTable.sparkWidth(80), "no room for a sparkline at 80 columns");
        assertEquals(TopTable.SPARK_MAX, TopTable.sparkWidth(200));
    }

    @Test
    void othersKeepingStatsOnAreNamed() {
        TopSample s = new TopSample(S, S, Instant.EPOCH, List.of(), List.of(new Holder(99, "bpftop", false)), true);
        assertEquals("run-time stats also kept on by 99 bpftop and sysctl kernel.bpf_stats_enabled=1: they stay on after top exits",
                TopTable.statsNote(s));
    }
}
