package io.bpf4j.examples.tracepoint;

import io.bpf4j.examples.ExampleRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tracepoint example on the lab kernels (some builds of this host have no tracefs): the test
 * runs {@code /bin/true} through a symlink of a name no other program has, a known number of
 * times; the example's reports count that name up to exactly that many, and no more.
 */
@Tag("kernel")
class TracepointExampleKernelTest {
    static final int EXECS = 7;

    @Test
    void everyExecOfAFileIsCountedUnderItsName() throws Exception {
        Path dir = Files.createTempDirectory("bpf4j-tp");
        Path exe = Files.createSymbolicLink(dir.resolve("true-" + ProcessHandle.current().pid()), Path.of("/bin/true"));
        try (ExampleRun run = ExampleRun.start("tracepoint-example", Main::run, "--seconds", "120")) {
            run.awaitLine(0, l -> l.startsWith("counting execs"), Duration.ofSeconds(120));
            for (int i = 0; i < EXECS; i++) {
                Process p = new ProcessBuilder(exe.toString()).start();
                assertEquals(0, p.waitFor());
            }
            // The counts are totals since the example started, and no other program has this name:
            // its line reaches EXECS and never passes it (two more reports are read to be sure).
            String mine = EXECS + " " + exe;
            run.awaitLine(0, mine::equals, Duration.ofSeconds(60));
            int from = run.lines().size();
            run.awaitLine(from, l -> l.startsWith("after "), Duration.ofSeconds(60));
            int next = run.lines().size();
            run.awaitLine(next, l -> l.startsWith("after "), Duration.ofSeconds(60));
            for (String l : run.lines())
                if (l.endsWith(" " + exe)) assertTrue(Long.parseLong(l.substring(0, l.indexOf(' '))) <= EXECS, l);
            run.awaitLine(next, mine::equals, Duration.ofSeconds(60));
        } finally {
            Files.deleteIfExists(exe);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aWrongArgumentIsAUsageErrorOnOneLine() throws Exception {
        try (ExampleRun run = ExampleRun.start("tracepoint-example", Main::run, "--seconds", "soon")) {
            assertEquals(2, run.awaitExit(Duration.ofSeconds(10)));
            assertEquals("usage: tracepoint [--seconds N]\n", run.err());
        }
    }
}
