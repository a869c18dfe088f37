package io.bpf4j.cli.top;

import io.bpf4j.BpfProgram;
import io.bpf4j.BpfStats;
import io.bpf4j.tools.top.Holder;
import io.bpf4j.tools.top.Holders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bpf4j top}'s live view in a real terminal: tmux runs it (a server of this test's own),
 * keys go in with send-keys and the screen comes out with capture-pane. Two programs are run by
 * BPF_PROG_TEST_RUN at paced rates from this JVM, and what top shows is compared with the rates
 * the drivers measured; after q, SIGINT, SIGTERM and SIGKILL the terminal must be back as it was
 * and run-time statistics off, as their effect shows: runs of the driven programs stop counting.
 */
class TopTmuxTest {
    static final String SOCKET = "bpf4j-top-test-" + ProcessHandle.current().pid();
    static final int SELF = (int) ProcessHandle.current().pid();
    static final double CHEAP_RATE = 2000, COSTLY_RATE = 400;

    static String sfx;
    static BpfProgram cheap, costly;
    static Driver cheapDriver, costlyDriver;

    @BeforeAll
    static void drive() throws Exception {
        assertEquals(List.of(), Holders.scan().stats(), "other processes keep run-time stats on: cannot see them go off");
        assertEquals(Optional.of(false), BpfStats.sysctlEnabled(), "kernel.bpf_stats_enabled is 1: cannot see stats go off");
        sfx = Driver.suffix();
        cheap = Driver.cheap("tmux_c" + sfx);
        costly = Driver.costly("tmux_x" + sfx);
        cheapDriver = new Driver(cheap, CHEAP_RATE, 600);
        costlyDriver = new Driver(costly, COSTLY_RATE, 600);
        // A server exits with its last session, and a new-session racing that exit fails
        // ("server exited unexpectedly"): this one keeps the server up between the tests' sessions.
        tmux("new-session", "-d", "-s", "keep", "sleep", "3600");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            tmux("kill-server");
        } finally {
            cheapDriver.close();
            costlyDriver.close();
            cheap.close();
            costly.close();
        }
    }

    // ---- tmux

    static String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0 && !args[0].equals("kill-server")) fail(String.join(" ", cmd) + ": exit " + rc + ": " + out);
        return out;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * A tmux session running top under sh, which then prints top's exit status and the terminal
     * modes that matter (icanon, echo), and waits. Returns top's pid.
     */
    static long start(String session, int cols, int rows, String... topArgs) throws Exception {
        StringBuilder top = new StringBuilder();
        for (String a : TopProcess.command(topArgs)) top.append(quote(a)).append(' ');
        String script = top + "; echo EXIT=$?; printf 'TTY:'; stty -a | tr ' ;' '\\n\\n' | grep -x -E -- '-?(icanon|echo)' | tr '\\n' ' '; echo; echo END; sleep 600";
        tmux("new-session", "-d", "-s", session, "-x", Integer.toString(cols), "-y", Integer.toString(rows), "sh", "-c", script);
        long sh = Long.parseLong(tmux("display-message", "-p", "-t", session, "#{pane_pid}").trim());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> java = ProcessHandle.of(sh).flatMap(h -> h.children().findFirst());
            if (java.isPresent()) return java.get().pid();
            Thread.sleep(50);
        }
        throw new AssertionError("top did not start under " + sh);
    }

    static String screen(String session) throws Exception {
        return tmux("capture-pane", "-p", "-t", session);
    }

    static String format(String session, String f) throws Exception {
        return tmux("display-message", "-p", "-t", session, f).trim();
    }

    /** Captures until {@code ok} holds, or fails with the last screen after {@code seconds}. */
    static String await(String session, int seconds, String what, Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String s = "";
        while (System.nanoTime() < deadline) {
            s = screen(session);
            if (ok.test(s)) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("waited " + seconds + " s for " + what + "; the screen:\n" + s);
    }

    /** A whole frame of {@code height} rows: title on top, column header third, keys at the bottom. */
    static boolean frame(String screen, int height) {
        List<String> l = rows(screen);
        return l.size() == height && l.get(0).startsWith("bpf4j top ") && l.get(2).trim().startsWith("ID TYPE")
                && l.get(height - 1).startsWith("q quit");
    }

    static List<String> rows(String screen) {
        return screen.lines().toList();
    }

    /** The table row of the program whose name is {@code name}, or null. */
    static String row(String screen, String name) {
        for (String l : rows(screen)) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 3 && f[2].equals(name)) return l;
        }
        return null;
    }

    static double eventsPerSecond(String row) {
        return Double.parseDouble(row.trim().split("\\s+")[3]);
    }

    /** The names of the table's rows, top to bottom. */
    static List<String> order(String screen) {
        List<String> names = new ArrayList<>();
        List<String> l = rows(screen);
        for (int i = TopScreen.ABOVE; i < l.size(); i++) {
            String[] f = l.get(i).trim().split("\\s+");
            if (f.length > 3 && f[0].matches("\\d+")) names.add(f[2]);
        }
        return names;
    }

    // ---- stats on and off, by their effect

    /** Whether the driven programs' runs count: the driver runs the cheap one 2000 times a second. */
    static boolean counting() throws InterruptedException {
        long before = cheap.info().runCnt();
        Thread.sleep(300);
        return cheap.info().runCnt() > before;
    }

    static void assertStatsOffAndTerminalBack(String session, String exit, boolean terminalRestored) throws Exception {
        String s = await(session, 20, "top's exit", x -> x.contains("\nEND"));
        assertTrue(s.contains("EXIT=" + exit), "exit status: " + s);
        if (terminalRestored) {
            assertEquals("0", format(session, "#{alternate_on}"), "still on the alternate screen");
            assertEquals("1", format(session, "#{cursor_flag}"), "cursor still hidden");
            assertTrue(s.contains("TTY:icanon echo"), "terminal modes not restored: " + s);
        }
        assertFalse(counting(), "runs still counted after top exited: stats are on");
        assertEquals(Optional.of(false), BpfStats.sysctlEnabled());
        assertEquals(List.of(), Holders.scan().stats(), "a BPF_ENABLE_STATS fd is still open");
    }

    // ---- the tests

    @Test
    void ratesSortingFilterResizeAndQuit() throws Exception {
        assertFalse(counting(), "runs counted before top started");
        String session = "live";
        long pid = start(session, 200, 40, "top", "--interval", "1s", "--sort", "rate");
        String cheapName = "tmux_c" + sfx, costlyName = "tmux_x" + sfx;

        // Three samples in, the sparkline has a minute's first seconds and the rates are settled.
        String s = await(session, 30, "both programs with rates", x -> {
            String c = row(x, cheapName), k = row(x, costlyName);
            return c != null && k != null && c.contains("███") && eventsPerSecond(c) > 0 && eventsPerSecond(k) > 0;
        });
        assertTrue(counting(), "runs not counted while top runs");
        assertEquals(List.of(new Holder((int) pid, "java", false)), Holders.scan().stats(), "top holds stats on through its fd");

        // Rates: each capture against the drivers' own rates over the 1 s windows that top's
        // last sample can have covered: it ended less than an interval (and a slow draw) ago.
        for (int i = 0; i < 3; i++) {
            long at = System.nanoTime();
            s = screen(session);
            String c = row(s, cheapName), k = row(s, costlyName);
            long from = at - 1_500_000_000L;
            TopCommandTest.assertWithin10Percent(cheapDriver.rateRange(1_000_000_000L, from, at), eventsPerSecond(c), "socket filter on screen\n" + s);
            TopCommandTest.assertWithin10Percent(costlyDriver.rateRange(1_000_000_000L, from, at), eventsPerSecond(k), "XDP on screen\n" + s);
            assertTrue(c.endsWith(SELF + " java"), "holder of the socket filter: " + c);
            Thread.sleep(1100);
        }

        // Filter to this test's programs, then cycle the order.
        tmux("send-keys", "-t", session, "/", sfx, "Enter");
        s = await(session, 5, "the filter", x -> order(x).size() == 2 && rows(x).get(0).contains("filter: " + sfx));
        assertTrue(rows(s).get(1).contains(", 2 match"), rows(s).get(1));
        assertEquals(List.of(cheapName, costlyName), order(s), "sort: rate\n" + s);
        tmux("send-keys", "-t", session, "s");
        s = await(session, 5, "sort: avg", x -> rows(x).get(0).contains("sort: avg"));
        assertEquals(List.of(costlyName, cheapName), order(s), "sort: avg\n" + s);
        tmux("send-keys", "-t", session, "s");
        s = await(session, 5, "sort: runtime", x -> rows(x).get(0).contains("sort: runtime"));
        assertEquals(List.of(costlyName, cheapName), order(s), "sort: runtime\n" + s);
        tmux("send-keys", "-t", session, "s");
        s = await(session, 5, "sort: rate", x -> rows(x).get(0).contains("sort: rate"));
        assertEquals(List.of(cheapName, costlyName), order(s), "sort: rate again\n" + s);

        // A narrower filter, then Esc brings everyone back.
        tmux("send-keys", "-t", session, "/", "Enter"); // '/' edits the kept filter; Enter keeps it
        tmux("send-keys", "-t", session, "Escape");
        s = await(session, 5, "the filter cleared", x -> !rows(x).get(0).contains("filter:"));
        tmux("send-keys", "-t", session, "/", costlyName, "Enter");
        s = await(session, 5, "one match", x -> order(x).equals(List.of(costlyName)));
        assertTrue(rows(s).get(1).contains(", 1 match"), rows(s).get(1));
        tmux("send-keys", "-t", session, "Escape");
        s = await(session, 5, "all programs again", x -> order(x).size() >= 2 && !rows(x).get(0).contains("filter:"));
        assertTrue(order(s).containsAll(List.of(cheapName, costlyName)), s);

        // Resize: the frame follows the window; at 80 columns there is no room for the sparkline.
        // Until top sees the new size (it polls every 200 ms) tmux shows the old frame rewrapped.
        tmux("resize-window", "-t", session, "-x", "80", "-y", "20");
        s = await(session, 5, "an 80x20 frame", x -> frame(x, 20) && rows(x).get(2).endsWith(" HOLDERS"));
        for (String l : rows(s)) assertTrue(l.length() <= 80, "wider than the window: " + l);
        assertFalse(rows(s).get(2).contains("RATE"), "no room for the sparkline: " + rows(s).get(2));
        tmux("resize-window", "-t", session, "-x", "160", "-y", "30");
        s = await(session, 5, "a 160x30 frame", x -> frame(x, 30) && rows(x).get(2).contains("RATE 60s"));

        tmux("send-keys", "-t", session, "q");
        assertStatsOffAndTerminalBack(session, "0", true);
        tmux("kill-session", "-t", session);
    }

    @Test
    void sigintSigtermAndSigkillLeaveStatsOffAndTheTerminalAsItWas() throws Exception {
        for (String[] sig : new String[][] {{"INT", "130"}, {"TERM", "143"}, {"KILL", "137"}}) {
            String session = "sig" + sig[0];
            long pid = start(session, 160, 30, "top");
            await(session, 30, "the first sample", x -> row(x, "tmux_c" + sfx) != null);
            assertTrue(counting(), "runs not counted while top runs");
            Process kill = new ProcessBuilder("kill", "-" + sig[0], Long.toString(pid)).start();
            assertEquals(0, kill.waitFor());
            // SIGKILL runs no code of top's: the terminal stays raw, but the kernel still closes the fd.
            assertStatsOffAndTerminalBack(session, sig[1], !sig[0].equals("KILL"));
            tmux("kill-session", "-t", session);
        }
    }
}
