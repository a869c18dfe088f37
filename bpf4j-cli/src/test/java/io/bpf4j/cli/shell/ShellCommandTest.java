package io.bpf4j.cli.shell;

import io.bpf4j.cli.CliRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ShellCommandTest {
    @Test
    void snippetsSeeTheLibraryWithItsPackagesImported() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String input = "\"type=\" + ProgType.parse(\"xdp\").kernelName()\n\"walk=\" + Walks.DEFAULT_LIMIT\n/exit\n";
        ShellCommand shell = new ShellCommand();
        shell.noKernel = true;
        int rc = shell.io(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out).call();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("\"type=BPF_PROG_TYPE_XDP\""), text);
        assertTrue(text.contains("\"walk=1048576\""), text);
    }

    @Test
    void startupBindsKernelAndBpfOnlyWhenAKernelIsOpen() {
        assertTrue(ShellCommand.startup(true).contains("Kernel kernel = io.bpf4j.cli.shell.ShellCommand.kernel();"));
        assertFalse(ShellCommand.startup(false).contains("kernel ="));
    }

    @Test
    void withoutReadableKcoreTheShellRefusesInOneLine() {
        Assumptions.assumeFalse(Files.exists(Path.of("/proc/kcore")), "this machine has /proc/kcore: the refusal needs a kernel without it");
        CliRun r = CliRun.of("shell");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("bpf4j shell: open /proc/kcore: "), r.err());
    }
}
