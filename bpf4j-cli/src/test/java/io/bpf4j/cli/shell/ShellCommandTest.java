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
    /** The repository: the parent of this module's directory, where surefire runs the tests. */
    private static final Path TREE = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

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

    /** Files a shell run could leave in /tmp: its startup snippets were written to /tmp/bpf4j-shell*.jsh. */
    static java.util.Set<Path> shellFiles() throws java.io.IOException {
        try (var s = Files.list(Path.of("/tmp"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("bpf4j-shell")).collect(java.util.stream.Collectors.toSet());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "SIGKILL: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void killedBySigtermOrSigkillItLeavesNoFileBehind(boolean sigkill) throws Exception {
        java.util.Set<Path> before = shellFiles();
        Process p = new ProcessBuilder(io.bpf4j.cli.CliProcess.command(System.getProperty("java.class.path"), "shell", "--no-kernel"))
                .redirectErrorStream(true).start();
        try {
            var seen = new java.util.concurrent.CompletableFuture<String>();
            StringBuilder all = new StringBuilder();
            Thread.ofPlatform().daemon().start(() -> {
                try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        synchronized (all) {
                            all.append(l).append('\n');
                        }
                        if (l.contains("up-42")) seen.complete(l);
                    }
                    seen.complete(null);
                } catch (java.io.IOException e) {
                    seen.completeExceptionally(e);
                }
            });
            // A snippet's output: the startup snippets were read, the shell is running.
            p.getOutputStream().write("System.out.println(\"up-\" + (6 * 7))\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            String line = seen.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(line, () -> "the shell ended before evaluating the snippet: " + all);
            assertEquals(before, shellFiles(), "while it runs");
            try (var fds = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
                for (Path fd : fds.toList()) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (java.io.IOException gone) {
                        continue;
                    }
                    // The tree itself may be under /tmp (a clone there): its jars are not the shell's files.
                    assertFalse(target.startsWith("/tmp/") && !Path.of(target).startsWith(TREE), "the shell holds " + target);
                }
            }
            if (sigkill) p.destroyForcibly();
            else p.destroy();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(before, shellFiles(), "after it was killed");
        } finally {
            p.destroyForcibly();
        }
    }
}
