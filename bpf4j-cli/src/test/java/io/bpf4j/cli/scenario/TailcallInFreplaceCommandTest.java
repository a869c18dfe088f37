package io.bpf4j.cli.scenario;

import io.bpf4j.cli.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class TailcallInFreplaceCommandTest {
    @Test
    void aBadDurationIsAUsageError() {
        CliRun r = CliRun.of("scenario", "tailcall-in-freplace", "--duration", "soon");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'soon' is not a duration"), r.err());
    }

    @Test
    void withoutKprobesTheCommandSaysSoInOneLineAndFails() {
        // In the kernel lab kprobes exist and TailcallInFreplaceKernelTest runs the command instead.
        assumeFalse(Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type")),
                "this kernel has the kprobe PMU, so the no-kprobes path cannot be reached");
        CliRun r = CliRun.of("scenario", "tailcall-in-freplace", "--connect", "3", "--duration", "10s", "--json");
        assertEquals(1, r.exit());
        assertEquals("", r.out(), "nothing on stdout: no partial record");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("bpf4j scenario tailcall-in-freplace: this kernel has no kprobes"), err);
    }
}
