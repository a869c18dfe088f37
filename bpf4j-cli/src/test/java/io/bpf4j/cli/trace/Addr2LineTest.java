package io.bpf4j.cli.trace;

import io.bpf4j.elf.ElfFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * file:line through addr2line on a program gcc compiles in the test with DWARF: the lines are the
 * ones the test wrote its functions on; the build id is the one gcc's linker put in (read back
 * with readelf, independently of our ELF walk).
 */
class Addr2LineTest {
    static final String SOURCE = """
            /* line 1 */
            int _stext(void) { return 0; }
            int answer(int x) { return x * 42; }
            int main(void) {
                return answer(1) + _stext();
            }
            """;

    static String run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    /** A non-PIE executable from {@link #SOURCE}, in dir/kernel/bpf/ so its DWARF path has a kernel-tree part. */
    static Path build(Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("debian/build/kernel/bpf")).resolve("toy.c");
        Files.writeString(src, SOURCE);
        Path exe = dir.resolve("toy");
        run(dir, "gcc", "-g", "-O0", "-no-pie", "-Wl,--build-id=sha1", "-o", exe.toString(), src.toString());
        return exe;
    }

    static Map<String, Long> nm(Path dir, Path exe) throws Exception {
        Map<String, Long> m = new HashMap<>();
        for (String l : run(dir, "nm", exe.toString()).lines().toList()) {
            String[] f = l.strip().split(" ");
            if (f.length == 3) m.put(f[2], Long.parseUnsignedLong(f[0], 16));
        }
        return m;
    }

    @Test
    void linesComeBackForSlidAddressesFromOneProcess(@TempDir Path dir) throws Exception {
        Path exe = build(dir);
        Map<String, Long> sym = nm(dir, exe);
        assertEquals(sym.get("_stext"), Addr2Line.stext(exe));
        long slide = 0x3a00000L; // as KASLR would move the kernel
        try (Addr2Line a = new Addr2Line(exe, slide)) {
            // A frame's return address is one past the call; the function's first byte is its line.
            assertEquals("kernel/bpf/toy.c:3", a.apply(sym.get("answer") + slide + 1));
            assertEquals("kernel/bpf/toy.c:2", a.apply(sym.get("_stext") + slide + 1));
            assertEquals("kernel/bpf/toy.c:4", a.apply(sym.get("main") + slide + 1));
            assertNull(a.apply(0x10 + slide), "an address outside the DWARF has no line");
            assertEquals("kernel/bpf/toy.c:3", a.apply(sym.get("answer") + slide + 1), "asked again, from the cache");
        }
    }

    /** The warm-up asks about the traced functions, and {@code awaitLoaded} waits for its answers. */
    @Test
    void theTracedFunctionsAreLookedUpBeforeTheSourceSaysItIsLoaded(@TempDir Path dir) throws Exception {
        Path exe = build(dir);
        Map<String, Long> sym = nm(dir, exe);
        long slide = Vmlinux.slide(sym.get("_stext"));
        long answer = sym.get("answer") + slide;
        try (Addr2Line a = Addr2Line.open(exe, new PrintStream(java.io.OutputStream.nullOutputStream()), answer)) {
            assertNotNull(a);
            assertTrue(a.awaitLoaded(60_000), "addr2line's warm-up did not end in 60 s");
            assertTrue(a.cached(answer + 1), "the traced function was not looked up by the warm-up");
            assertTrue(a.cached(sym.get("_stext") + slide + 1));
            assertEquals("kernel/bpf/toy.c:3", a.apply(answer + 1));
        }
    }

    @Test
    void debiansBuildPathsAreShownFromTheKernelTree() {
        assertEquals("kernel/bpf/syscall.c:4397", Addr2Line.fileLine("debian/build/build_amd64_none_amd64/kernel/bpf/syscall.c:4397"));
        assertEquals("arch/x86/entry/entry_64.S:107", Addr2Line.fileLine("/build/reproducible-path/linux-5.10.223/arch/x86/entry/entry_64.S:107"));
        assertEquals("kernel/bpf/arraymap.c:741", Addr2Line.fileLine("/usr/src/kernel/bpf/arraymap.c:741 (discriminator 2)"));
        assertEquals("weird/place.c:5", Addr2Line.fileLine("weird/place.c:5"));
        assertNull(Addr2Line.fileLine("??:0"));
        assertNull(Addr2Line.fileLine("??:?"));
        assertNull(Addr2Line.fileLine("kernel/foo.c:0"));
    }

    @Test
    void theSearchListIsTheLabsThenRetsnoopsThenTheCache() {
        List<Path> c = Vmlinux.candidates("5.10.0-32-amd64", Map.of("BPF4J_VMLINUX", "/x/vmlinux-dbg"), Path.of("/c"));
        assertEquals(Path.of("/x/vmlinux-dbg"), c.getFirst());
        assertTrue(c.contains(Path.of("/usr/lib/debug/boot/vmlinux-5.10.0-32-amd64")), c.toString());
        assertTrue(c.contains(Path.of("/lib/modules/5.10.0-32-amd64/build/vmlinux")), c.toString());
        assertTrue(c.contains(Path.of("/lib/modules/5.10.0-32-amd64/vmlinux-5.10.0-32-amd64")), c.toString());
        assertEquals(Path.of("/c/kernels/5.10.0-32-amd64/vmlinux-dbg"), c.getLast());
        assertEquals(Path.of("/boot/vmlinux-6.1.0-56-amd64"), Vmlinux.candidates("6.1.0-56-amd64", Map.of(), null).getFirst());
    }

    @Test
    void aVmlinuxOfAnotherBuildIsNotUsed(@TempDir Path dir) throws Exception {
        Path exe = build(dir);
        String id;
        try (ElfFile elf = ElfFile.open(exe)) {
            id = elf.buildId().orElseThrow();
        }
        assertNull(Vmlinux.mismatch(exe, Optional.of(id)));
        assertNull(Vmlinux.mismatch(exe, Optional.empty()), "unknown running id: trust the file");
        assertTrue(Vmlinux.mismatch(exe, Optional.of("0123")).startsWith("is another kernel build (build id " + id), id);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // The host kernel is not this toy program: -k gets a warning and no lines, not wrong lines.
        assumeRunningIdKnown();
        assertEquals(Optional.empty(), Vmlinux.find(exe, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Warning: -k " + exe + " is another kernel build"), err.toString());
    }

    static void assumeRunningIdKnown() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Vmlinux.runningBuildId().isPresent(),
                "/sys/kernel/notes is not readable here (needs root): the running kernel's build id is unknown");
    }

    static final String INLINE_SOURCE = """
            __attribute__((noinline)) int ext(int x) { __asm__ volatile("" ::: "memory"); return x + 3; }
            static inline __attribute__((always_inline)) int inner(int x) {
                return ext(x) + 1;
            }
            int outer(int x) {
                return inner(x) * 2;
            }
            int main(int argc, char **argv) { return outer(argc); }
            """;

    @Test
    void aFrameInsideAnInlinedFunctionShowsItsOwnLineAndTheInlinedOne(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("kernel/bpf")).resolve("inl.c");
        Files.writeString(src, INLINE_SOURCE);
        Path exe = dir.resolve("inl");
        run(dir, "gcc", "-g", "-O2", "-no-pie", "-o", exe.toString(), src.toString());
        // The return address of outer's call to ext: the instruction after it, as objdump shows it.
        List<String> dis = run(dir, "objdump", "-d", "--no-show-raw-insn", exe.toString()).lines().toList();
        int start = dis.indexOf(dis.stream().filter(l -> l.endsWith("<outer>:")).findFirst().orElseThrow());
        long ret = -1;
        for (int i = start + 1; i < dis.size() && !dis.get(i).isBlank(); i++) {
            if (dis.get(i).contains("call") && dis.get(i).contains("<ext>")) {
                ret = Long.parseUnsignedLong(dis.get(i + 1).strip().split(":")[0], 16);
                break;
            }
        }
        assertTrue(ret > 0, String.join("\n", dis));
        try (Addr2Line a = new Addr2Line(exe, 0)) {
            Addr2Line.Source s = a.lookup(ret);
            assertEquals("kernel/bpf/inl.c:6", s.fileLine(), "outer's own line: where it uses inner");
            assertEquals(List.of(new io.bpf4j.tools.trace.SessionFormat.Inlined("inner", "kernel/bpf/inl.c:3")), s.inlined());
            // Asked again in between other questions: answers do not shift.
            assertEquals(List.of(), a.lookup(Long.parseUnsignedLong(run(dir, "nm", exe.toString()).lines()
                    .filter(l -> l.endsWith(" T ext")).findFirst().orElseThrow().split(" ")[0], 16) + 1).inlined());
            assertEquals(s, a.lookup(ret));
        }
    }

    @Test
    void stextPastTheFirstMegabyteOfTheSymbolTableIsFound(@TempDir Path dir) throws Exception {
        // 60,000 symbols: a 1.4 MB .symtab, read in chunks; the one we want is last.
        StringBuilder asm = new StringBuilder(".text\n");
        for (int i = 0; i < 60_000; i++) asm.append(".globl f").append(i).append("\nf").append(i).append(": ret\n");
        asm.append(".globl _stext\n_stext: ret\n");
        Path src = dir.resolve("many.s");
        Files.writeString(src, asm);
        Path obj = dir.resolve("many.o");
        run(dir, "gcc", "-c", "-o", obj.toString(), src.toString());
        Map<String, Long> sym = nm(dir, obj);
        assertEquals(sym.get("_stext"), Addr2Line.stext(obj));
    }
}
