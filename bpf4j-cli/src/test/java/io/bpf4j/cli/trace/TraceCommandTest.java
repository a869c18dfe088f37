package io.bpf4j.cli.trace;

import io.bpf4j.cli.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** The second step's options: every mistake is one line and exit 1, before any kernel work. */
    @Test
    void badArgumentsForTheNewOptionsAreOneLineEach() {
        String[][] cases = {
                {"--args-format", "fancy", "-A"}, {"--args-format fancy: use compact, multiline or verbose"},
                {"--args-max-call", "99999", "-A"}, {"--args-max-call 99999: must be between 64 and 4096 bytes"},
                {"--args-max-arg", "0", "-A"}, {"--args-max-arg 0: must be between 1 and 4096 bytes"},
                {"--filter-arg", "map->"}, {"--filter-arg 'map->': expected a name at the end"},
                {"--filter-arg", "(cmd == 1"}, {"--filter-arg '(cmd == 1': missing ')'"},
                {"-J", "uprobe:x"}, {"-J uprobe:x: use kprobe:FUNC[+OFF], kretprobe:FUNC, tp:CATEGORY:NAME or rawtp:NAME"},
                {"-J", "kprobe:f+xyz"}, {"-J kprobe:f+xyz: offset 'xyz' is not a number (decimal or 0x hex)"},
                {"-J", "tp:sched"}, {"-J tp:sched: use tp:CATEGORY:NAME (e.g. tp:sched:sched_process_exec)"},
                {"-B", "wat"}, {"-B wat: unknown branch type 'wat' (any_return, any, any_call, cond, call, ind_call, ind_jump, call_stack, abort_tx, in_tx, no_tx or a number)"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            List<String> args = new java.util.ArrayList<>(List.of("trace", "-e", "__x64_sys_bpf", "--dry-run"));
            args.addAll(List.of(cases[i]));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(1, r.exit(), String.join(" ", cases[i]) + ": " + r.err());
            List<String> lines = r.err().lines().toList();
            assertEquals(List.of("bpf4j trace: " + cases[i + 1][0]), lines, String.join(" ", cases[i]));
            assertEquals("", r.out(), "nothing printed before the refusal");
        }
    }

    /**
     * --dry-run says what would be attached and how, and checks the filter and the probes
     * against this kernel's BTF, without attaching anything.
     */
    @Test
    void dryRunPlansTheAttachAndChecksFilterAndProbesAgainstKernelBtf() {
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no kernel BTF here");
        CliRun r = CliRun.of("trace", "-e", "bpf_map_copy_value", "-A", "--filter-arg", "map->map_type == BPF_MAP_TYPE_HASH && key != NULL",
                "-J", "kprobe:security_bpf+0x5", "-J", "rawtp:sys_enter", "-K", "--dry-run");
        assertEquals(0, r.exit(), r.err());
        List<String> out = r.out().lines().toList();
        assertTrue(out.getFirst().matches("1 functions \\(1 entry, 0 allowed\\) of \\d+ traceable"), r.out());
        assertEquals(List.of("would attach 1 kernel functions with kprobe (requested)",
                "would inject 2 probes: kprobe:security_bpf+0x5, rawtp:sys_enter",
                "arguments of the calls on an error's path: registers at entry, memory read at exit; at most 3072 bytes per call, 256 per argument",
                "sessions start only where 'map->map_type == BPF_MAP_TYPE_HASH && key != NULL' holds (evaluated in BPF)"), out.subList(1, 5));
        // The same filter naming a member bpf_map does not have: refused with the function's name.
        CliRun bad = CliRun.of("trace", "-e", "bpf_map_copy_value", "--filter-arg", "map->no_such_member == 1", "--dry-run");
        assertEquals(1, bad.exit());
        assertEquals(List.of("bpf4j trace: --filter-arg 'map->no_such_member == 1': bpf_map_copy_value: map has no member 'no_such_member'"),
                bad.err().lines().filter(l -> !l.startsWith("Note: ")).toList());
    }

    /** A loaded program's functions are targets by id and by name glob; --dry-run -v lists them. */
    @Test
    void loadedBpfProgramsAreTargetsByIdAndByNameGlob() {
        io.bpf4j.loader.ObjectSpec spec = io.bpf4j.tools.ToolObjects.spec(io.bpf4j.tools.ToolObjects.TAILCALL_TCPCONN);
        try (io.bpf4j.loader.BpfObject o = io.bpf4j.loader.BpfObject.load(spec)) {
            int id = o.program("k_tcp_connect").id();
            CliRun r = CliRun.of("trace", "-e", "bpf:" + id, "--dry-run", "-v");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("entry bpf:" + id + ":k_tcp_connect "), r.out());
            assertTrue(r.out().contains("entry bpf:" + id + ":stub_handler "), "subprograms too: " + r.out());
            assertTrue(r.out().contains("would attach 2 BPF program functions with fentry/fexit on their programs"), r.out());
            CliRun g = CliRun.of("trace", "-e", "bpf:" + id + ":stub_*", "--dry-run", "-v");
            assertTrue(g.out().contains("entry bpf:" + id + ":stub_handler ") && !g.out().contains(":k_tcp_connect"), g.out());
            CliRun byName = CliRun.of("trace", "-e", "bpf:k_tcp_conn*", "--dry-run", "-v");
            assertTrue(byName.out().contains("entry bpf:" + id + ":k_tcp_connect "), byName.out());
        } catch (io.bpf4j.BpfException e) {
            assumeTrue(e.errno() != io.bpf4j.internal.sys.Errno.EPERM, "this machine refuses kprobe program loads: " + e.getMessage());
            throw e;
        }
        CliRun none = CliRun.of("trace", "-e", "bpf:no_such_program_anywhere", "--dry-run");
        assertEquals(1, none.exit());
        assertEquals(List.of("bpf4j trace: entry pattern 'bpf:no_such_program_anywhere' matches no loaded BPF program function"),
                none.err().lines().filter(l -> !l.startsWith("Note: ")).toList());
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
