package io.bpf4j.cli.top;

import io.bpf4j.BpfProgram;
import io.bpf4j.cli.CliRun;
import io.bpf4j.cli.JsonRead;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bpf4j top --once|--json} against programs driven at known rates, and its refusals. */
class TopCommandTest {
    static final int SELF = (int) ProcessHandle.current().pid();
    static final long S = 1_000_000_000L;

    static void assertWithin10Percent(double expected, double actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 0.10 * expected,
                what + ": top says " + actual + "/s, the driver measured " + expected + "/s");
    }

    /** Within 10% of the driver's rate over one of the windows top's sample may have covered. */
    static void assertWithin10Percent(double[] range, double actual, String what) {
        assertTrue(actual >= 0.9 * range[0] && actual <= 1.1 * range[1],
                what + ": top says " + actual + "/s, the driver measured " + range[0] + " to " + range[1]
                        + "/s over the windows top's sample can have covered");
    }

    @Test
    void badIntervalsAndSortsAreOneLineAndExit2() {
        for (String[] args : new String[][] {
                {"top", "--once", "--interval", "0"}, {"top", "--once", "--interval", "-1"},
                {"top", "--once", "--interval", "abc"}, {"top", "--once", "--interval=-1"},
                {"top", "--once", "--interval", "50ms"}, {"top", "--once", "--interval", "2h"},
                {"top", "--once", "--interval", "1.5.2s"}, {"top", "--json", "--sort", "cpu"},
                {"top", "--sort", "RATE", "--once"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals("", r.out(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("bpf4j top: --"), r.err());
        }
        CliRun r = CliRun.of("top", "--once", "--interval", "abc");
        assertEquals("bpf4j top: --interval: 'abc' is not a duration like 1s, 500ms, 2.5s or 1m\n", r.err());
        assertEquals("bpf4j top: --sort: 'cpu' is not one of runtime, rate, avg\n", CliRun.of("top", "--json", "--sort", "cpu").err());
    }

    @Test
    void theLiveViewWithoutATerminalIsRefusedInOneLine() {
        // Surefire's stdin and stdout are pipes.
        CliRun r = CliRun.of("top");
        assertEquals(2, r.exit());
        assertEquals("bpf4j top: the live view needs a terminal on stdin and stdout; use --once or --json\n", r.err());
    }

    /**
     * This JVM's class path with its jars copied to {@code dir}, for a user who cannot read
     * them where they are (Maven's repository under /root).
     */
    static String readableClassPath(Path dir) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (!e.endsWith(".jar")) {
                out.add(e);
                continue;
            }
            Path copy = dir.resolve(out.size() + "-" + p.getFileName());
            java.nio.file.Files.copy(p, copy);
            out.add(copy.toString());
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    @Test
    void asNobodyItSaysWhichCapabilityIsMissing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = readableClassPath(dir);
        dir.toFile().setExecutable(true, false);
        dir.toFile().setReadable(true, false);
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "io.bpf4j.cli.Main", "top", "--once")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .directory(Path.of("/").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        assertEquals(1, p.waitFor(), err);
        assertEquals("", out);
        assertEquals("bpf4j top: enable BPF run-time stats: operation not permitted (BPF_ENABLE_STATS needs CAP_SYS_ADMIN)\n", err);
    }

    @Test
    void jsonHasEachDrivenProgramsRateHoldersAndAStableKeyOrder() throws Exception {
        String sfx = Driver.suffix();
        try (BpfProgram cheap = Driver.cheap("topj_c" + sfx); BpfProgram costly = Driver.costly("topj_x" + sfx)) {
            Map<String, Object> doc;
            try (Driver a = new Driver(cheap, 2000, 30); Driver b = new Driver(costly, 400, 30)) {
                Thread.sleep(500);
                TopProcess r = TopProcess.run("top", "--json", "--interval", "2s", "--sort", "rate", "--filter", "TOPJ_");
                assertEquals(0, r.exit(), r.err());
                assertEquals("", r.err());
                assertEquals(1, r.out().lines().count(), "one line of JSON");
                @SuppressWarnings("unchecked") Map<String, Object> d = (Map<String, Object>) JsonRead.parse(r.out());
                doc = d;
                assertEquals(List.of("time", "interval_ns", "sort", "filter", "programs", "stats_also_held_by", "stats_sysctl"), List.copyOf(doc.keySet()));
                assertEquals("rate", doc.get("sort"));
                assertEquals("TOPJ_", doc.get("filter"));
                long interval = ((BigDecimal) doc.get("interval_ns")).longValueExact();
                assertTrue(interval >= 2_000_000_000L && interval < 3_000_000_000L, "interval " + interval);
                @SuppressWarnings("unchecked") List<Map<String, Object>> progs = (List<Map<String, Object>>) doc.get("programs");
                for (Map<String, Object> p : progs) assertTrue(((String) p.get("name")).startsWith("topj_"), "filtered out: " + p);
                Map<String, Object> pc = byId(progs, cheap.id()), px = byId(progs, costly.id());
                assertNotNull(pc, r.out());
                assertNotNull(px, r.out());
                assertEquals(List.of("id", "type", "name", "events_per_second", "avg_run_time_ns", "cpu_percent", "run_cnt",
                        "run_time_ns", "interval_ns", "recursion_misses", "recursion_misses_delta", "since_load", "holders"),
                        List.copyOf(pc.keySet()));
                assertEquals("BPF_PROG_TYPE_SOCKET_FILTER", pc.get("type"));
                assertEquals("BPF_PROG_TYPE_XDP", px.get("type"));
                assertEquals("topj_c" + sfx, pc.get("name"));
                // The driver's rate over the interval that top measured, which ended at "time".
                java.time.Instant end = java.time.Instant.parse((String) doc.get("time"));
                assertWithin10Percent(a.rateBefore(end, interval), num(pc, "events_per_second"), "socket filter");
                assertWithin10Percent(b.rateBefore(end, interval), num(px, "events_per_second"), "XDP");
                assertTrue(num(px, "avg_run_time_ns") > 5 * num(pc, "avg_run_time_ns"),
                        "4000 additions cost more than none: " + px.get("avg_run_time_ns") + " vs " + pc.get("avg_run_time_ns"));
                // cpu_percent is run_time_ns over the interval.
                assertEquals(num(px, "run_time_ns") * 100 / num(px, "interval_ns"), num(px, "cpu_percent"), 0.001);
                assertEquals(List.of(Map.of("pid", new BigDecimal(SELF), "comm", "java", "via", "prog")), pc.get("holders"));
                assertEquals(BigDecimal.ZERO, pc.get("recursion_misses"));
                assertEquals(Boolean.FALSE, pc.get("since_load"));
                List<Double> rates = new ArrayList<>();
                for (Map<String, Object> p : progs) rates.add(num(p, "events_per_second"));
                for (int i = 1; i < rates.size(); i++) assertTrue(rates.get(i - 1) >= rates.get(i), "sorted by rate: " + rates);
            }
        }
    }

    @Test
    void onceIsATableSortedAsAskedWithTheDrivenRates() throws Exception {
        String sfx = Driver.suffix();
        String cheapName = "topo_c" + sfx, costlyName = "topo_x" + sfx;
        try (BpfProgram cheap = Driver.cheap(cheapName); BpfProgram costly = Driver.costly(costlyName);
             Driver a = new Driver(cheap, 1500, 30); Driver b = new Driver(costly, 300, 30)) {
            Thread.sleep(300);
            for (String sort : new String[] {"rate", "avg", "runtime"}) {
                long from = System.nanoTime();
                TopProcess r = TopProcess.run("top", "--once", "--interval", "1s", "--sort", sort);
                long to = System.nanoTime();
                assertEquals(0, r.exit(), r.err());
                List<String> lines = r.out().lines().toList();
                assertEquals(TopTable.header(0).stripTrailing(), lines.get(0));
                int ic = indexOf(lines, cheapName), ix = indexOf(lines, costlyName);
                assertTrue(ic > 0 && ix > 0, r.out());
                // rate: 1500/s above 300/s; avg and runtime: 4000 additions above none.
                assertTrue(sort.equals("rate") ? ic < ix : ix < ic, sort + ":\n" + r.out());
                String[] c = lines.get(ic).trim().split("\\s+");
                assertEquals(String.valueOf(cheap.id()), c[0]);
                assertEquals("socket_filter", c[1]);
                // The table has no time: top's 1 s interval ended between 1 s after the command
                // started and its exit.
                assertWithin10Percent(a.rateRange(S, from + S, to), Double.parseDouble(c[3]), "socket filter, --sort " + sort);
                assertTrue(lines.get(ic).endsWith(SELF + " java"), lines.get(ic));
                String[] x = lines.get(ix).trim().split("\\s+");
                assertEquals("xdp", x[1]);
                assertWithin10Percent(b.rateRange(S, from + S, to), Double.parseDouble(x[3]), "XDP, --sort " + sort);
            }
        }
    }

    static int indexOf(List<String> lines, String name) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(" " + name + " ")) return i;
        return -1;
    }

    static Map<String, Object> byId(List<Map<String, Object>> progs, int id) {
        for (Map<String, Object> p : progs) if (((BigDecimal) p.get("id")).intValue() == id) return p;
        return null;
    }

    static double num(Map<String, Object> m, String key) {
        return ((BigDecimal) m.get(key)).doubleValue();
    }
}
