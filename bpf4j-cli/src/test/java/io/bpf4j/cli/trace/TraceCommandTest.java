package io.bpf4j.cli.trace;

import io.bpf4j.cli.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code bpf4j trace} on the host: discovery, input errors and the one-line refusal. */
class TraceCommandTest {
    /** Whether the ftrace list can really be read: tracefs may be mounted and still refuse it (EPERM). */
    static boolean ftraceListReadable() {
        for (String p : new String[] {"/sys/kernel/tracing/available_filter_functions", "/sys/kernel/debug/tracing/available_filter_functions"}) {
            try (var in = Files.newInputStream(Path.of(p))) {
                in.read();
                return true;
            } catch (java.io.IOException e) {
                // not this one
            }
        }
        return false;
    }

    @Test
    void dryRunListsWhatMatchedAndWhy() {
        CliRun r = CliRun.of("trace", "-e", "*sys_bpf", "-a", "bpf_fd_array_*", "-a", "bpf_prog_array_compatible", "--dry-run", "-v");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)\\d+ functions \\(\\d+ entry, \\d+ allowed\\) of \\d+ traceable.*"), r.out());
        assertTrue(r.out().contains("entry __x64_sys_bpf"), r.out());
        assertTrue(r.out().contains("allow bpf_fd_array_map_update_elem"), r.out());
        assertTrue(r.out().contains("by -a bpf_fd_array_*"), r.out());
        assertEquals(!ftraceListReadable(), r.err().contains("cannot read available_filter_functions"), r.err());
    }

    @Test
    void aRenamedFunctionIsReportedWhenItsGlobMatchesNothing() {
        CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-a", "bpf_prog_array_compatible", "--dry-run");
        assertEquals(0, r.exit(), r.err());
        boolean old = r.out().contains("(1 entry, 1 allowed)");
        assertEquals(!old, r.err().contains("bpf_prog_array_compatible is now bpf_prog_map_compatible"), r.err());
    }

    @Test
    void badInputIsOneLineAndExitOne() {
        CliRun none = CliRun.of("trace", "-e", "no_such_function_anywhere_*", "--dry-run");
        assertEquals(1, none.exit());
        List<String> errors = none.err().lines().filter(l -> !l.startsWith("Note: ")).toList();
        assertEquals(1, errors.size(), none.err());
        assertTrue(errors.getFirst().startsWith("bpf4j trace: entry pattern 'no_such_function_anywhere_*' matches no"), none.err());
        CliRun rb = CliRun.of("trace", "-e", "__x64_sys_bpf", "--ringbuf-size", "1000");
        assertEquals(2, rb.exit(), "a value the option cannot take: usage error");
        assertTrue(rb.err().contains("power of two"), rb.err());
        CliRun preset = CliRun.of("trace", "-c", "nope", "--dry-run");
        assertEquals(1, preset.exit());
        assertTrue(preset.err().contains("unknown preset 'nope'"), preset.err());
        CliRun err = CliRun.of("trace", "-e", "__x64_sys_bpf", "-x", "EWHATEVER", "--dry-run");
        assertEquals(1, err.exit());
        assertTrue(err.err().contains("unknown error name 'EWHATEVER'"), err.err());
        CliRun modes = CliRun.of("trace", "-e", "__x64_sys_bpf", "-K", "-F", "--dry-run");
        assertEquals(2, modes.exit(), "-K and -F are exclusive: usage error");
    }

    @Test
    void aKernelWithoutKprobesOrFentryGetsOneLineSuggestingTheLab() {
        assumeFalse(Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type")),
                "this kernel has the kprobe PMU: the refusal cannot be observed here");
        CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-T", "--duration", "1");
        assertEquals(1, r.exit());
        String line = r.err().lines().filter(l -> l.startsWith("bpf4j trace:")).findFirst().orElseThrow(() -> new AssertionError(r.err()));
        assertTrue(line.contains("refused"), line);
        assertTrue(line.contains("bpf4j vm run"), line);
        assertFalse(r.out().contains("Receiving data"), r.out());
    }

    @Test
    void aPatternFileThatCannotBeReadSaysWhy(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        CliRun missing = CliRun.of("trace", "-e", "__x64_sys_bpf", "-a", "@/nonexistent", "--dry-run");
        assertEquals(1, missing.exit());
        assertEquals("bpf4j trace: -a @/nonexistent: no such file\n", missing.err());
        CliRun device = CliRun.of("trace", "-e", "@/dev/zero", "--dry-run");
        assertEquals(1, device.exit());
        assertEquals("bpf4j trace: -e @/dev/zero: not a regular file\n", device.err());
        CliRun directory = CliRun.of("trace", "-e", "__x64_sys_bpf", "-d", "@" + dir, "--dry-run");
        assertEquals("bpf4j trace: -d @" + dir + ": is a directory\n", directory.err());
        Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '\n'});
        CliRun notText = CliRun.of("trace", "-e", "__x64_sys_bpf", "-a", "@" + binary, "--dry-run");
        assertEquals("bpf4j trace: -a @" + binary + ": not a text file (not UTF-8)\n", notText.err());
    }

    @Test
    void linesOfAPatternFileAreNamedByLineNotRepeated(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("patterns"), "# kept secret\nbpf_map_update_value\nsecret_one_zz\n\nsecret_two_zz\n");
        CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-a", "@" + f, "--dry-run");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("secret"), r.err());
        assertTrue(r.err().contains("Warning: allow patterns at @" + f + " lines 3, 5 match no traceable kernel function.\n"), r.err());
        Path bad = Files.writeString(dir.resolve("bad"), "fine\nsecret_[zz\n");
        CliRun malformed = CliRun.of("trace", "-e", "__x64_sys_bpf", "-a", "@" + bad, "--dry-run");
        assertEquals(1, malformed.exit());
        assertEquals("bpf4j trace: -a @" + bad + ": line 2 is not a function pattern ('func-glob [module-glob]')\n", malformed.err());
        Path entry = Files.writeString(dir.resolve("entry"), "secret_entry_zz\n");
        CliRun none = CliRun.of("trace", "-e", "@" + entry, "--dry-run");
        assertEquals(1, none.exit());
        assertFalse(none.err().contains("secret"), none.err());
        assertTrue(none.err().contains("bpf4j trace: entry pattern @" + entry + ":1 matches no traceable kernel function"), none.err());
    }
}
