package io.bpf4j.cli.trace;

import io.bpf4j.cli.CliRun;
import io.bpf4j.features.Features;
import io.bpf4j.features.KernelFeature;
import io.bpf4j.fixtures.EnabledOnKernel;
import io.bpf4j.internal.sys.KernelRelease;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The acceptance command on the blog's kernel generation:
 * {@code bpf4j trace -e '*sys_bpf' -a 'bpf_fd_array_*' -a 'bpf_prog_array_compatible' -T -- bpf4j scenario tailcall-in-freplace}.
 */
@Tag("kernel")
class TraceCommandKernelTest {
    /**
     * This JVM's java and the bpf4j classes, to run {@code bpf4j scenario} as the traced command.
     * The class path comes from where the classes were loaded: under the lab's console launcher
     * java.class.path is only the launcher's jar.
     */
    static List<String> bpf4j(String... args) {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        String cp = String.join(File.pathSeparator, where(io.bpf4j.cli.Main.class), where(io.bpf4j.BpfMap.class),
                where(io.bpf4j.tools.ToolObjects.class), where(io.bpf4j.lab.Qemu.class), where(picocli.CommandLine.class));
        List<String> cmd = new java.util.ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "io.bpf4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static String where(Class<?> c) {
        try {
            return java.nio.file.Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    // bpf_prog_array_compatible became bpf_prog_map_compatible in 5.18, and the EXT-owner bug
    // the scenario hits was fixed in 6.2 (1c123c567fb1, backported to 6.1.4).
    @Test
    @EnabledOnKernel(below = "5.18", reason = "bpf_prog_array_compatible exists only before Linux 5.18")
    void theBlogCommandShowsTheRejectedUpdateUnderTheBpfSyscall() {
        List<String> args = new java.util.ArrayList<>(List.of("trace", "-e", "*sys_bpf", "-a", "bpf_fd_array_*",
                "-a", "bpf_prog_array_compatible", "-T", "-v", "--"));
        args.addAll(bpf4j("scenario", "tailcall-in-freplace"));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Receiving data..."), r.out());
        // The traced scenario must have run to its end (a JVM that dies in the guest has no update to trace).
        assertTrue(r.err().contains("exited with status 0."), "the traced scenario did not exit 0:\n" + r.err());
        // The session of the failed update: the update fails with EINVAL because the compatibility check said false.
        Matcher m = Pattern.compile("(?m)^→ __x64_sys_bpf +\\n(?:.*\\n)*?^← __x64_sys_bpf +\\[-EINVAL\\] +[0-9.]+us *$").matcher(r.out());
        String session = null;
        while (m.find()) if (m.group().contains("bpf_fd_array_map_update_elem")) session = m.group();
        assertNotNull(session, "no session of the failed update:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(session.matches("(?s).*\\n    ← bpf_fd_array_map_update_elem +\\[-EINVAL\\] +[0-9.]+us *\\n.*"), session);
        assertTrue(session.matches("(?s).*\\n        (↔|←) bpf_prog_array_compatible +\\[false\\] +[0-9.]+us *\\n.*"), session);
        assertTrue(r.out().contains("Detaching... DONE in"), r.out());
        assertFalse(r.out().contains("DROPPED"), r.out());
        assertFalse(r.out().contains("MISSED RETURNS"), r.out());
        assertTrue(r.err().contains("Attached 6 functions"), r.err());
        // -v's last line: the scenario's calls all returned before the tracer detached.
        assertTrue(r.err().contains("; 0 sessions still open at detach"), r.err());
    }

    /**
     * The story's command with -A on the blog's kernel generation: the row of the failed
     * bpf_fd_array_map_update_elem shows the prog array it was called on (type, id, name) and
     * the key, slot 0, read with the map's key size.
     */
    @Test
    @EnabledOnKernel(below = "5.18", reason = "bpf_prog_array_compatible exists only before Linux 5.18")
    void theBlogCommandWithArgumentsShowsTheMapAndTheKey(org.junit.jupiter.api.TestReporter report) {
        // The scenario's own output (it names the prog array's id) goes to a file the test reads.
        java.nio.file.Path said;
        try {
            said = java.nio.file.Files.createTempFile("scenario", ".out");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        List<String> args = new java.util.ArrayList<>(List.of("trace", "-e", "*sys_bpf", "-a", "bpf_fd_array_*",
                "-a", "bpf_prog_array_compatible", "-T", "-A", "--args-width", "0", "--", "sh", "-c",
                "exec \"$0\" \"$@\" > " + said, bpf4j("scenario", "tailcall-in-freplace").getFirst()));
        args.addAll(bpf4j("scenario", "tailcall-in-freplace").subList(1, bpf4j("scenario", "tailcall-in-freplace").size()));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        // The run's own output in the test report (README's example comes from it).
        report.publishEntry("stdout", r.out());
        report.publishEntry("stderr", r.err());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("exited with status 0."), "the traced scenario did not exit 0:\n" + r.err());
        // The scenario names the prog array: "... maps socks (map 12), progs (map 14), events (map 13) ..."
        String scenario;
        try {
            scenario = java.nio.file.Files.readString(said);
            java.nio.file.Files.delete(said);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Matcher id = Pattern.compile("progs \\(map (\\d+)\\)").matcher(scenario);
        assertTrue(id.find(), scenario);
        String progs = id.group(1);
        List<String> rows = r.out().lines().filter(l -> l.startsWith("    → bpf_fd_array_map_update_elem ")).toList();
        assertFalse(rows.isEmpty(), r.out());
        String row = rows.getLast();
        assertTrue(row.contains(" map=&{") && row.contains(".map_type=BPF_MAP_TYPE_PROG_ARRAY") && row.contains(".id=" + progs + ",")
                && row.contains(".name='progs'"), row);
        assertTrue(row.contains(" key=&[00 00 00 00] "), row);
        assertTrue(r.out().contains("ARGS (memory read at exit)"), r.out());
        assertFalse(r.out().contains("DROPPED"), r.out());
    }

    /** -B on a kernel or CPU without what it needs: one line naming it, nothing attached. */
    @Test
    void lbrIsRefusedInOneLineNamingWhatIsMissing() {
        CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-B", "--duration", "1");
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("Note: ")).toList();
        assertEquals(1, lines.size(), r.err());
        if (!Features.has(KernelFeature.BRANCH_SNAPSHOT)) {
            // The helper is in every kernel since 5.16: only an older one may lack it.
            assertFalse(KernelRelease.running().atLeast(5, 16), "a 5.16+ kernel without bpf_get_branch_snapshot");
            assertEquals("bpf4j trace: bpf_get_branch_snapshot (-B): not supported by this kernel (requires Linux 5.16)", lines.getFirst());
        } else // QEMU's TCG emulates no branch-recording PMU
            assertTrue(lines.getFirst().startsWith("bpf4j trace: -B needs a CPU that records branches (Intel LBR) and a PMU driver for it: "
                    + "perf_event_open(cycles with a kernel branch stack) on CPU 0: "), lines.getFirst());
        assertFalse(r.out().contains("Receiving data"), r.out());
    }
}
