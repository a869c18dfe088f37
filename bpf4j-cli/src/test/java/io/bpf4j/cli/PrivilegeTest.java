package io.bpf4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Run as a user without the capabilities BPF needs, {@code check tailcall} and {@code trace} say
 * so in one line, naming what is missing, and fail, before trying anything (as nobody,
 * {@code check tailcall} printed a table of 20 lines of "could not run", one row still saying the
 * kernel "would Oops", and exited 0; {@code trace} blamed the kernel and suggested the lab).
 */
class PrivilegeTest {
    static void oneLine(CliProcess p, String line) {
        assertEquals(line + "\n", p.err());
        assertEquals("", p.out());
        assertEquals(1, p.exit());
    }

    @Test
    void checkTailcallAsNobodyNamesTheCapabilitiesItLacks(@TempDir Path dir) {
        oneLine(CliProcess.asNobody(dir, List.of(), "check", "tailcall"),
                "bpf4j check tailcall: needs root or CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON; this process lacks CAP_BPF, CAP_NET_ADMIN, "
                        + "CAP_PERFMON (it has no capabilities: run it as root, e.g. with sudo)");
    }

    @Test
    void traceAsNobodyWithOnlyCapBpfNamesCapPerfmon(@TempDir Path dir) {
        oneLine(CliProcess.asNobody(dir, List.of(), "trace", "-e", "*sys_bpf"),
                "bpf4j trace: needs root or CAP_BPF+CAP_PERFMON; this process lacks CAP_BPF, CAP_PERFMON (it has no capabilities: "
                        + "run it as root, e.g. with sudo)");
        oneLine(CliProcess.asNobody(dir, List.of("bpf"), "trace", "-e", "*sys_bpf"),
                "bpf4j trace: needs root or CAP_BPF+CAP_PERFMON; this process lacks CAP_PERFMON");
    }

    @Test
    void checkTailcallWithTheCapabilitiesItNamesGetsPastTheCheck(@TempDir Path dir) {
        // The capabilities named are enough for the command to run (as nobody, so not as root).
        CliProcess p = CliProcess.asNobody(dir, List.of("bpf", "net_admin", "perfmon"), "check", "tailcall", "--only", "tailcall-attach-type");
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("tailcall-attach-type  fixed") || p.out().contains("tailcall-attach-type  present"), p.out());
    }
}
