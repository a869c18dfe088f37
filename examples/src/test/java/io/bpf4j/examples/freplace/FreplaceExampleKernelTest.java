package io.bpf4j.examples.freplace;

import io.bpf4j.examples.ExampleRun;
import io.bpf4j.features.KernelFeature;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.bpf4j.fixtures.Assume.assumeSupported;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The freplace example on the lab kernels (this host refuses EXT loads): the XDP program's
 * answers change while the extension replaces its verdict() and come back when it is detached,
 * and the extension ran once per test run of the program while attached, never after.
 */
@Tag("kernel")
class FreplaceExampleKernelTest {
    @Test
    void theReplacementDecidesWhileAttachedAndOnlyThen() throws Exception {
        assumeSupported(KernelFeature.EXTENSION);
        try (ExampleRun run = ExampleRun.start("freplace-example", Main::run, "--runs", "7", "--min-len", "100")) {
            assertEquals(0, run.awaitExit(Duration.ofSeconds(120)), run.err());
            assertEquals(List.of(
                    "before: 64 bytes XDP_PASS, 256 bytes XDP_PASS",
                    "replaced: 64 bytes XDP_DROP, 256 bytes XDP_PASS",
                    "replacement called 14 times",
                    "detached: 64 bytes XDP_PASS, 256 bytes XDP_PASS"), run.lines());
        }
    }

    @Test
    void theThresholdIsTheExtensionsSetting() throws Exception {
        assumeSupported(KernelFeature.EXTENSION);
        try (ExampleRun run = ExampleRun.start("freplace-example", Main::run, "--runs", "1", "--min-len", "300")) {
            assertEquals(0, run.awaitExit(Duration.ofSeconds(120)), run.err());
            assertEquals("replaced: 64 bytes XDP_DROP, 256 bytes XDP_DROP", run.lines().get(1));
            assertEquals("replacement called 2 times", run.lines().get(2));
        }
    }

    @Test
    void aWrongArgumentIsAUsageErrorOnOneLine() throws Exception {
        try (ExampleRun run = ExampleRun.start("freplace-example", Main::run, "--runs", "0")) {
            assertEquals(2, run.awaitExit(Duration.ofSeconds(10)));
            assertEquals("usage: freplace [--runs N] [--min-len BYTES]\n", run.err());
        }
    }
}
