package io.bpf4j.cli.trace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.cli.CliRun;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bpf4j trace} with Debian's DWARF vmlinux of the running kernel (fetched by
 * {@code bpf4j vm run --debug-vmlinux}, found through {@code $BPF4J_VMLINUX} without {@code -k}).
 * The workload is a child process that puts a bad program fd into a PROG_ARRAY: the kernel
 * answers EBADF from {@code prog_fd_array_get_ptr} under {@code bpf_fd_array_map_update_elem}.
 * Every file:line printed is checked against binutils run by the test itself on the address
 * that nm and the printed {@code symbol+offset} give, and against where these functions are
 * defined in the kernel tree; with {@code -sn} the output is the same but for file:line.
 */
@Tag("kernel")
class TraceDwarfKernelTest {
    static final int CALLS = 3;
    static Path vmlinux;

    /** The workload, run as the traced command: CALLS updates of a PROG_ARRAY with a closed fd. */
    public static final class BadProgArrayUpdate {
        public static void main(String[] args) {
            try (BpfMap m = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 1))) {
                for (int i = 0; i < CALLS; i++) {
                    try {
                        m.update(new byte[4], new byte[] {(byte) 0x3f, 0x42, 0x0f, 0}, 0); // fd 999999: not open
                        throw new AssertionError("the update of a closed fd succeeded");
                    } catch (BpfException e) {
                        if (e.errno() != Errno.EBADF) throw e;
                    }
                }
            }
            System.out.println("workload: " + CALLS + " updates failed with EBADF");
        }
    }

    @BeforeAll
    static void theLabGaveUsTheDwarfVmlinux() {
        String v = System.getenv(Vmlinux.ENV);
        // lab/kernel-tests fetches the -dbg package only for the kernels it lists; there it must be here.
        if ("1".equals(System.getenv("BPF4J_LAB_DWARF"))) assertNotNull(v, "lab/kernel-tests fetched the DWARF vmlinux, but bpf4j vm run did not pass $" + Vmlinux.ENV);
        assumeTrue(v != null, "no DWARF vmlinux for " + KernelRelease.running() + ": $" + Vmlinux.ENV
                + " is unset (bpf4j vm run --debug-vmlinux fetches it; lab/kernel-tests does for BPF4J_LAB_DWARF_KERNELS)");
        vmlinux = Path.of(v);
        assertTrue(Files.isReadable(vmlinux), vmlinux + " is not readable in the guest");
    }

    static List<String> workload() {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        String cp = String.join(File.pathSeparator, TraceCommandKernelTest.where(TraceDwarfKernelTest.class),
                TraceCommandKernelTest.where(BpfMap.class));
        return List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", cp, BadProgArrayUpdate.class.getName());
    }

    static CliRun trace(String... extra) {
        List<String> args = new ArrayList<>(List.of("trace", "-F", "-e", "bpf_fd_array_map_update_elem", "-a", "prog_fd_array_get_ptr"));
        args.addAll(List.of(extra));
        args.add("--");
        args.addAll(workload());
        long t0 = System.nanoTime();
        CliRun r = CliRun.of(args.toArray(String[]::new));
        System.out.printf("trace %s: %.1f s%n", String.join(" ", extra), (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.exit(), r.err());
        // The command's own output goes to the real stdout (inherited), its status to stderr.
        assertTrue(r.err().contains(" exited with status 0."), "the workload failed:\n" + r.err());
        assertFalse(r.out().contains("DROPPED"), r.out());
        return r;
    }

    /** A stack row: marks, duration and result (when a recorded call), symbol, optional (file:line). */
    record Row(String marks, String result, String symbol, String fileLine) {}

    static final Pattern ROW = Pattern.compile("^(.)  (?: *\\d+us (\\[[^\\]]+\\])| {3,}) +(\\S+) *(?:\\((\\S+)\\))?$");
    static final Pattern INLINE_ROW = Pattern.compile("^ {3,}\\. (\\S+) *(?:\\((\\S+)\\))?$");

    /** Each session's error stack rows (the lines after the trace table's blank line, up to the session's end). */
    static List<List<Row>> stacks(String out) {
        List<List<Row>> all = new ArrayList<>();
        List<Row> cur = null;
        for (String l : out.lines().toList()) {
            if (l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ -> .*")) {
                cur = new ArrayList<>();
                all.add(cur);
                continue;
            }
            if (cur == null) continue;
            Matcher in = INLINE_ROW.matcher(l);
            Matcher m = ROW.matcher(l);
            if (in.matches()) cur.add(new Row(" ", null, ". " + in.group(1), in.group(2)));
            else if (m.matches() && !l.isBlank()) cur.add(new Row(m.group(1), m.group(2), m.group(3), m.group(4)));
        }
        return all;
    }

    /** Where the tree defines the functions the stack must show (the file of the function's own line). */
    static final Map<String, String> DEFINED_IN = Map.of(
            "bpf_fd_array_map_update_elem", "kernel/bpf/arraymap.c",
            "prog_fd_array_get_ptr", "kernel/bpf/arraymap.c",
            "__x64_sys_bpf", "kernel/bpf/syscall.c",
            "__sys_bpf", "kernel/bpf/syscall.c",
            "__do_sys_bpf", "kernel/bpf/syscall.c",
            "entry_SYSCALL_64_after_hwframe", "arch/x86/entry/entry_64.S");

    @Test
    void fileLineOfEveryFrameIsWhatBinutilsSaysForItsAddress() throws Exception {
        CliRun r = trace();
        assertTrue(r.err().contains("Note: file:line from " + vmlinux + "."), r.err());
        List<List<Row>> stacks = stacks(r.out());
        assertEquals(CALLS, stacks.size(), r.out());
        System.out.println(r.out().lines().filter(l -> !l.isBlank()).limit(16).collect(java.util.stream.Collectors.joining("\n")));
        Map<String, Long> nm = nm(vmlinux);
        for (List<Row> st : stacks) {
            // Frames: every one with a symbol+offset has a line; the recorded failing calls are frames (fexit stacks).
            List<Row> frames = st.stream().filter(x -> x.symbol().contains("+0x")).toList();
            assertFalse(frames.isEmpty(), r.out());
            List<Long> addrs = new ArrayList<>();
            for (Row f : frames) {
                assertNotNull(f.fileLine(), "no file:line for " + f + "\n" + r.out());
                String[] so = f.symbol().split("\\+0x");
                Long base = nm.get(so[0]);
                assertNotNull(base, so[0] + " not in nm of " + vmlinux);
                addrs.add(base + Long.parseUnsignedLong(so[1], 16) - 1);
            }
            List<List<String[]>> truth = addr2line(vmlinux, addrs);
            int fi = 0;
            for (int i = 0; i < st.size(); i++) {
                Row row = st.get(i);
                if (!row.symbol().contains("+0x")) continue;
                List<String[]> pairs = truth.get(fi++);
                String[] own = pairs.getLast();
                String fn = row.symbol().substring(0, row.symbol().indexOf("+0x"));
                assertEquals(fn, own[0], "the DWARF function at " + row.symbol() + "'s address");
                assertSameLocation(own[1], row.fileLine(), row.symbol());
                String file = row.fileLine().substring(0, row.fileLine().lastIndexOf(':'));
                if (DEFINED_IN.containsKey(fn)) assertEquals(DEFINED_IN.get(fn), file, row.symbol());
                if (fn.equals("do_syscall_64")) assertTrue(doSyscall64Files().contains(file), row.symbol() + " in " + file);
                // The inlined functions follow, outermost first, each with its own line.
                for (int k = pairs.size() - 2; k >= 0; k--) {
                    Row inl = st.get(++i);
                    assertEquals(". " + pairs.get(k)[0], inl.symbol(), "inlined frame under " + row.symbol() + "\n" + r.out());
                    assertSameLocation(pairs.get(k)[1], inl.fileLine(), inl.symbol());
                }
            }
            List<String> names = frames.stream().map(x -> x.symbol().substring(0, x.symbol().indexOf("+0x"))).toList();
            for (String must : List.of("bpf_fd_array_map_update_elem", "do_syscall_64"))
                assertTrue(names.contains(must), must + " not among the frames " + names);
            // The failing leaf: a frame at its fentry call up to 6.12; 7.x stacks skip it (a '!' row, no line).
            Row leaf = st.stream().filter(x -> x.symbol().equals("prog_fd_array_get_ptr") || x.symbol().startsWith("prog_fd_array_get_ptr+"))
                    .findFirst().orElseThrow(() -> new AssertionError("no prog_fd_array_get_ptr row\n" + r.out()));
            assertEquals("[-EBADF]", leaf.result(), leaf.toString());
            assertEquals(leaf.symbol().contains("+0x") ? " " : "!", leaf.marks(), leaf.toString());
            // The syscall's own frame: 5.10 inlines __sys_bpf, and kallsyms names the address __do_sys_bpf.
            assertTrue(names.stream().anyMatch(n -> n.equals("__x64_sys_bpf") || n.equals("__sys_bpf") || n.equals("__do_sys_bpf")), names.toString());
            Row upd = frames.stream().filter(x -> x.symbol().startsWith("bpf_fd_array_map_update_elem+")).findFirst().orElseThrow();
            assertEquals("[-EBADF]", upd.result(), r.out());
            // fexit stacks show each traced function at its fentry call (+0x5, +0x9 after an IBT
            // endbr64 from 6.2): the function's first line. A deeper frame of the same function
            // (its call of map_fd_get_ptr) is inside its body.
            int defLine = line(addr2line(vmlinux, List.of(nm.get("bpf_fd_array_map_update_elem"))).getFirst().getLast()[1]);
            for (Row f : frames) {
                if (!f.symbol().startsWith("bpf_fd_array_map_update_elem+")) continue;
                long off = Long.parseLong(f.symbol().substring(f.symbol().indexOf("+0x") + 3), 16);
                if (off <= 0x10) assertEquals(defLine, line(f.fileLine()), f.toString());
                else assertTrue(line(f.fileLine()) > defLine, f + " vs definition at line " + defLine);
            }
        }

        // Without DWARF (-sn, as when no vmlinux is found): the same stacks but for file:line and inlined rows.
        CliRun plain = trace("-sn");
        assertFalse(plain.err().contains("Note: file:line from"), plain.err());
        List<List<Row>> without = stacks(plain.out());
        assertEquals(CALLS, without.size(), plain.out());
        for (int s = 0; s < CALLS; s++) {
            List<Row> expect = stacks.get(s).stream().filter(x -> !x.symbol().startsWith(". "))
                    .map(x -> new Row(x.marks(), x.result(), x.symbol(), null)).toList();
            assertEquals(expect, without.get(s), plain.out());
        }
        assertFalse(plain.out().matches("(?s).*\\([a-z_]+/[^)]*:\\d+\\).*"), "a file:line without DWARF:\n" + plain.out());
    }

    /**
     * do_syscall_64 left arch/x86/entry/common.c for syscall_64.c with the 2025 x86/syscall
     * rework (6.14/6.15): 6.12 and older have common.c, 7.x syscall_64.c; between, either.
     */
    static List<String> doSyscall64Files() {
        KernelRelease k = KernelRelease.running();
        if (!k.atLeast(6, 13)) return List.of("arch/x86/entry/common.c");
        if (k.atLeast(7, 0)) return List.of("arch/x86/entry/syscall_64.c");
        return List.of("arch/x86/entry/common.c", "arch/x86/entry/syscall_64.c");
    }

    static void assertSameLocation(String binutils, String shown, String what) {
        int c = binutils.indexOf(' ');
        String b = c > 0 ? binutils.substring(0, c) : binutils; // "(discriminator N)"
        assertTrue(b.equals(shown) || b.endsWith("/" + shown), what + ": shown " + shown + ", addr2line says " + binutils);
    }

    static int line(String fileLine) {
        String s = fileLine.substring(fileLine.lastIndexOf(':') + 1);
        int sp = s.indexOf(' ');
        return Integer.parseInt(sp > 0 ? s.substring(0, sp) : s);
    }

    static Map<String, Long> nm(Path elf) throws Exception {
        Process p = new ProcessBuilder("nm", elf.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Long> m = new HashMap<>();
        for (String l : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
            String[] f = l.split(" ");
            if (f.length == 3 && (f[1].equals("T") || f[1].equals("t"))) m.putIfAbsent(f[2], Long.parseUnsignedLong(f[0], 16));
        }
        assertEquals(0, p.waitFor());
        return m;
    }

    /** One binutils addr2line process for all addresses: per address its (function, location) pairs, innermost first. */
    static List<List<String[]>> addr2line(Path elf, List<Long> addrs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("addr2line", "-a", "-f", "-i", "-e", elf.toString()));
        for (long a : addrs) cmd.add("0x" + Long.toHexString(a));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor());
        System.out.printf("addr2line, %d addresses: %.1f s%n", addrs.size(), (System.nanoTime() - t0) / 1e9);
        List<List<String[]>> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); ) {
            assertTrue(lines.get(i).startsWith("0x"), lines.toString());
            i++;
            List<String[]> pairs = new ArrayList<>();
            while (i + 1 < lines.size() && !lines.get(i).startsWith("0x")) {
                pairs.add(new String[] {lines.get(i), lines.get(i + 1)});
                i += 2;
            }
            out.add(pairs);
        }
        assertEquals(addrs.size(), out.size());
        return out;
    }

    /**
     * Source-path patterns: the functions compiled from kernel/bpf/arraymap.c, from the DWARF
     * vmlinux's compile units (found through $BPF4J_VMLINUX), and those alone.
     */
    @Test
    void aSourcePathPatternSelectsTheFunctionsOfThoseFiles() {
        CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-a", ":kernel/bpf/arraymap.c", "--dry-run", "-v");
        assertEquals(0, r.exit(), r.err());
        List<String> allowed = r.out().lines().filter(l -> l.startsWith("  allow ")).map(l -> l.substring(8).split(" +")[0]).toList();
        assertTrue(allowed.contains("bpf_fd_array_map_update_elem"), r.out());
        assertTrue(allowed.contains("array_map_alloc"), r.out());
        assertFalse(allowed.contains("__x64_sys_bpf") || allowed.contains("bpf_map_copy_value") || allowed.contains("htab_map_alloc"),
                "functions of other files: " + r.out());
        assertTrue(r.out().lines().filter(l -> l.startsWith("  allow ")).allMatch(l -> l.contains("by -a :kernel/bpf/arraymap.c")), r.out());
        CliRun none = CliRun.of("trace", "-e", ":kernel/no/such/*.c", "--dry-run");
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("bpf4j trace: entry pattern ':kernel/no/such/*.c' matches no traceable function of those source files"), none.err());
    }
}
