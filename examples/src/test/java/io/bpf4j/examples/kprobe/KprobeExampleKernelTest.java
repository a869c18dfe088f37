package io.bpf4j.examples.kprobe;

import io.bpf4j.examples.ExampleRun;
import io.bpf4j.examples.Threads;
import io.bpf4j.features.KernelFeature;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bpf4j.fixtures.Assume.assumeSupported;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The kprobe example on the lab kernels (this host has no kprobes): a kprobe on
 * {@code __x64_sys_getpid} counts this process's calls. The test makes a known number of calls
 * between two of the example's reports; the count grows by exactly that many. (The JVM makes no
 * getpid calls of its own once started: RingbufExampleTest sees only the test's.)
 */
@Tag("kernel")
class KprobeExampleKernelTest {
    static final Pattern REPORT = Pattern.compile("__x64_sys_getpid called (\\d+) times");
    static final int CALLS = 1000;

    @Test
    void theCountGrowsByTheCallsThisProcessMade() throws Exception {
        assumeSupported(KernelFeature.KPROBES);
        int pid = (int) ProcessHandle.current().pid();
        try (ExampleRun run = ExampleRun.start("kprobe-example", Main::run, "--seconds", "120", "--pid", Integer.toString(pid))) {
            assertEquals("kprobe on __x64_sys_getpid, process " + pid + "; counting",
                    run.awaitLine(0, l -> l.startsWith("kprobe on "), Duration.ofSeconds(120)));
            long before = count(run.awaitLine(1, REPORT.asPredicate(), Duration.ofSeconds(60)));
            for (int i = 0; i < CALLS; i++) assertEquals(pid, Threads.getpid());
            int after = run.lines().size();
            long now = count(run.awaitLine(after, REPORT.asPredicate(), Duration.ofSeconds(60)));
            assertEquals(before + CALLS, now, "getpid calls counted while the test made " + CALLS);
        }
    }

    @Test
    void aFunctionThatIsNotThereFailsOnOneLine() throws Exception {
        assumeSupported(KernelFeature.KPROBES);
        try (ExampleRun run = ExampleRun.start("kprobe-example", Main::run, "--seconds", "1", "bpf4j_no_such_function")) {
            assertEquals(1, run.awaitExit(Duration.ofSeconds(120)));
            String err = run.err();
            assertTrue(err.startsWith("kprobe: ") && err.contains("bpf4j_no_such_function") && err.indexOf('\n') == err.length() - 1, err);
            assertEquals(List.of(), run.lines());
        }
    }

    @Test
    void aWrongArgumentIsAUsageErrorOnOneLine() throws Exception {
        try (ExampleRun run = ExampleRun.start("kprobe-example", Main::run, "--seconds")) {
            assertEquals(2, run.awaitExit(Duration.ofSeconds(10)));
            assertEquals("usage: kprobe [--seconds N] [--pid PID] [FUNCTION]\n", run.err());
        }
    }

    static long count(String line) {
        Matcher m = REPORT.matcher(line);
        assertTrue(m.matches(), line);
        return Long.parseLong(m.group(1));
    }
}
