package io.bpf4j.cli.explain;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ctrl-C and a killed explain: COMMAND ends as a shell would, or runs on, but is never left
 * stopped or traced, and no BPF program of explain's stays behind. explain runs in a session
 * of its own (setsid), so that "Ctrl-C" is SIGINT to its whole process group, as a terminal
 * sends it.
 */
class ExplainSignalsTest {
    @BeforeAll
    static void compile() throws Exception {
        ExplainCommandTest.compile();
    }

    /**
     * explain in a session of its own, with SIGINT at its default disposition, as a shell in a
     * terminal starts it. A signal ignored at exec stays ignored, and the JVM then installs no
     * handler for it (JVM_RegisterSignal): under a test runner started in the background of a
     * non-interactive shell (SIGINT ignored, as POSIX asks of such shells), explain would never
     * see the Ctrl-C this class sends.
     */
    static Process start(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT"));
        cmd.addAll(ExplainCommandTest.bpf4j("explain"));
        cmd.add("--");
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
    }

    static Path log() {
        return Path.of("target", "explain-test", "signals.log").toAbsolutePath();
    }

    /** The first descendant of {@code p} whose command line contains {@code text}, waiting for it. */
    static ProcessHandle waitForDescendant(Process p, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            Optional<ProcessHandle> h = p.descendants().filter(d -> d.info().commandLine().orElse("").contains(text)).findFirst();
            if (h.isPresent()) return h.get();
            Thread.sleep(100);
        }
        fail("no descendant running " + text);
        return null;
    }

    static void signalGroup(long pgid, String sig) throws Exception {
        ExplainCommandTest.Run r = ExplainCommandTest.Run.of(List.of("kill", "-" + sig, "--", "-" + pgid), 10);
        assertEquals(0, r.exit(), r.err());
    }

    /** The State: line of /proc/PID/status, and TracerPid. */
    static String[] state(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8);
        String state = "", tracer = "";
        for (String l : s.split("\n")) {
            if (l.startsWith("State:")) state = l.substring(6).trim();
            if (l.startsWith("TracerPid:")) tracer = l.substring(10).trim();
        }
        return new String[] {state, tracer};
    }

    @Test
    void ctrlCEndsCommandAsAShellWould() throws Exception {
        java.util.Set<Long> before = ExplainCommandTest.ourPrograms();
        Process p = start("sleep", "60");
        waitForDescendant(p, "sleep");
        signalGroup(p.pid(), "INT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "explain did not end after Ctrl-C");
        assertEquals(128 + 2, p.exitValue(), "sleep died of SIGINT, and explain says so as a shell would");
        assertEquals(0, p.descendants().count());
        ExplainCommandTest.assertNoProgramsLeft(before);
    }

    @Test
    void aSecondCtrlCDetachesAndCommandRunsOnNotStopped() throws Exception {
        java.util.Set<Long> before = ExplainCommandTest.ourPrograms();
        Process p = start("sh", "-c", "trap '' INT; exec " + ExplainCommandTest.fails + " spin 60");
        ProcessHandle cmd = waitForDescendant(p, "spin");
        Thread.sleep(1000); // some failures explained meanwhile
        signalGroup(p.pid(), "INT");
        Thread.sleep(1000);
        assertTrue(cmd.isAlive(), "COMMAND ignores SIGINT and runs on");
        signalGroup(p.pid(), "INT");
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "explain did not detach after the second Ctrl-C");
            assertEquals(128 + 2, p.exitValue());
            assertTrue(cmd.isAlive(), "COMMAND still runs after the detach");
            Thread.sleep(300);
            String[] st = state(cmd.pid());
            assertFalse(st[0].startsWith("T") || st[0].startsWith("t"), "COMMAND is not stopped: " + st[0]);
            assertEquals("0", st[1], "COMMAND is not traced any more");
            assertTrue(Files.readString(log()).contains("detached, COMMAND (pid " + cmd.pid() + ") runs on"), Files.readString(log()));
        } finally {
            cmd.destroyForcibly();
        }
        ExplainCommandTest.assertNoProgramsLeft(before);
    }

    @Test
    void killingExplainLeavesCommandRunningNotStopped() throws Exception {
        java.util.Set<Long> before = ExplainCommandTest.ourPrograms();
        Process p = start(ExplainCommandTest.fails.toString(), "spin", "60");
        ProcessHandle cmd = waitForDescendant(p, "spin");
        try {
            Thread.sleep(1500); // failures are being stopped and explained
            p.destroyForcibly(); // SIGKILL: no chance to detach
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            Thread.sleep(500);
            assertTrue(cmd.isAlive(), "COMMAND survives explain's death");
            String[] st = state(cmd.pid());
            assertFalse(st[0].startsWith("T") || st[0].startsWith("t"), "COMMAND is not stopped: " + st[0]);
            assertEquals("0", st[1]);
        } finally {
            cmd.destroyForcibly();
        }
        Thread.sleep(500);
        ExplainCommandTest.assertNoProgramsLeft(before);
    }
}
