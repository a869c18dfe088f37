package io.bpf4j.asm;

import io.bpf4j.features.KernelFeature;
import io.bpf4j.fixtures.Assume;
import io.bpf4j.internal.sys.KernelRelease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Loads small C programs into this kernel with bpftool and checks that our disassembly of the
 * raw xlated bytes equals {@code bpftool prog dump xlated} line for line, in text and JSON.
 *
 * <p>The resolver is built as bpftool builds its own: helper and kfunc names from
 * {@code /proc/kallsyms} at {@code __bpf_call_base + imm}; JITed subprogram addresses from the
 * kallsyms entries {@code bpf_prog_<tag>_<name>} of the functions bpftool names in its output.
 * Lines bpftool adds from BTF (function signatures, {@code ; source}) are checked to be only that
 * and are not instructions.
 *
 * <p>What the verifier makes of a program depends on the kernel and its build (inlined helpers,
 * zero extensions, probe modes), so each case compares whatever this kernel returned; the cases
 * that check for an inserted instruction name the kernel version from which it must appear.
 */
class BpftoolXlatedTest {

    /** An instruction line: {@code "   3: (bf) r1 = r6"}, or a form bpftool cannot print, {@code "   2: BUG_ldx_41"}. */
    private static final Pattern INSN_LINE = Pattern.compile("^ *\\d+: (\\(|BUG_).*");
    private static final Pattern PROTO = Pattern.compile("^.*?(\\w+)\\(.*\\):$");
    private static final Pattern DISASM_JSON = Pattern.compile("\"disasm\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
        "xdp_const, xdp",
        "xdp_maps, xdp",
        "socket_filter, socket",
        "kprobe_tail, kprobe",
        "atomics, xdp",
    })
    void disassemblyOfXlatedBytesEqualsBpftool(String name, String type) throws IOException {
        Tools.assumeTool("clang");
        Tools.assumeTool("bpftool");
        xlatedEqualsBpftool(Tools.compile("clang", dir, name, "v3"), name, type);
    }

    /**
     * The verifier zero-extends r0 after a 32-bit cmpxchg on every architecture (Linux 5.12,
     * kernel commit 39491867ace5; the program needs 5.12 to load at all) and, on a JITed x86-64
     * kernel from 6.10 on, inlines bpf_get_smp_processor_id() with its internal per-CPU mov.
     */
    @Test
    void insertedZextAndPercpuMovDecodeAndPrintAsBpftool() throws IOException {
        Tools.assumeTool("clang");
        Tools.assumeTool("bpftool");
        Xlated x = xlatedEqualsBpftool(Tools.compile("clang", dir, "verifier_inserted", "v3"), "verifier_inserted", "xdp");
        int cmpxchg = indexOf(x.insns(), i -> i instanceof Insn.Atomic a && a.op() == AtomicOp.CMPXCHG && a.size() == Size.W);
        assertTrue(cmpxchg >= 0, "no 32-bit cmpxchg in " + x.insns());
        assertEquals(new Insn.Zext(Reg.R0), x.insns().get(cmpxchg + 1), "after the cmpxchg in " + x.insns());
        if (x.jited() && KernelRelease.running().atLeast(6, 10) && "amd64".equals(System.getProperty("os.arch")))
            assertTrue(x.insns().contains(new Insn.MovPercpuAddr(Reg.R0, Reg.R0)),
                    "a JITed x86-64 kernel from 6.10 on inlines bpf_get_smp_processor_id(): " + x.insns());
    }

    /**
     * A program's own gotol stays in the xlated code, and a sign-extending load through an
     * untrusted BTF pointer comes back as BPF_PROBE_MEMSX, code 0x41, which the kernel's dump
     * does not turn back into MEMSX (both Linux 6.6; kernel commits 4cd58e9af8b9, 1f9a1ea821ff).
     */
    @Test
    void keptGotolAndProbeMemsxDecodeAndPrintAsBpftool() throws IOException {
        Tools.assumeTool("clang-19");
        Tools.assumeTool("bpftool");
        Assume.assumeSupported(KernelFeature.ISA_V4);
        Xlated x = xlatedEqualsBpftool(Tools.compile("clang-19", dir, "v4_inserted", "v4"), "v4_inserted", "kprobe");
        assertTrue(x.insns().contains(new Insn.Gotol(1)), "no gotol pc+1 in " + x.insns());
        assertTrue(x.insns().stream().anyMatch(i -> i instanceof Insn.Probe p && p.mode() == ProbeMode.MEMSX
                && p.insn() instanceof Insn.LoadSx l && l.size() == Size.W), "no probed s32 load in " + x.insns());
    }

    /** A loaded program's xlated instructions, decoded, and whether the kernel JITed it. */
    private record Xlated(List<Insn> insns, boolean jited) {
    }

    private static int indexOf(List<Insn> insns, java.util.function.Predicate<Insn> p) {
        for (int i = 0; i < insns.size(); i++) if (p.test(insns.get(i))) return i;
        return -1;
    }

    /**
     * Loads the object's program with bpftool, checks our disassembly of its xlated bytes against
     * bpftool's text and JSON, and that the strict decoder reads the bytes and writes them back.
     */
    private Xlated xlatedEqualsBpftool(Path obj, String name, String type) throws IOException {
        Path pin = Path.of("/sys/fs/bpf/bpf4j_asm_test_" + name + "_" + ProcessHandle.current().pid());
        try {
            Tools.run("bpftool", "prog", "load", obj.toString(), pin.toString(), "type", type);
            Path raw = dir.resolve(name + ".xlated");
            Tools.run("bpftool", "prog", "dump", "xlated", "pinned", pin.toString(), "file", raw.toString());
            String text = Tools.run("bpftool", "prog", "dump", "xlated", "pinned", pin.toString());
            String json = Tools.run("bpftool", "-j", "prog", "dump", "xlated", "pinned", pin.toString());
            byte[] bytes = Files.readAllBytes(raw);

            List<String> expected = new ArrayList<>();
            List<String> functions = new ArrayList<>();
            for (String l : text.split("\n")) {
                if (INSN_LINE.matcher(l).matches()) {
                    expected.add(l);
                } else {
                    Matcher proto = PROTO.matcher(l);
                    if (proto.matches()) functions.add(proto.group(1));
                    else assertTrue(l.startsWith(";"), "bpftool line neither instruction, source nor signature: " + l);
                }
            }
            assertFalse(expected.isEmpty(), "bpftool printed no instructions:\n" + text);

            Disassembler d = Disassembler.xlated(kallsymsFor(functions));
            List<String> ours = d.lines(bytes).stream().map(l -> asOldBpftool(l, expected)).toList();
            assertEquals(String.join("\n", expected), String.join("\n", ours));

            List<String> jsonDisasm = new ArrayList<>();
            Matcher m = DISASM_JSON.matcher(json);
            while (m.find()) jsonDisasm.add(unescapeJson(m.group(1)));
            List<String> ourInsns = new ArrayList<>();
            for (int slot = 0; slot < bytes.length / 8; slot++) {
                ourInsns.add(asOldBpftool(d.insn(bytes, slot), jsonDisasm));
                if ((bytes[slot * 8] & 0xff) == 0x18) slot++;
            }
            assertEquals(jsonDisasm, ourInsns);

            // the strict decoder reads what the verifier made of the program, and writes it back unchanged
            List<Insn> insns = Insn.decode(bytes);
            assertArrayEquals(bytes, Insn.encode(insns));
            String show = Tools.run("bpftool", "-j", "prog", "show", "pinned", pin.toString());
            return new Xlated(insns, show.matches("(?s).*\"bytes_jited\":[1-9].*"));
        } finally {
            Files.deleteIfExists(pin);
        }
    }

    /**
     * The kernel keeps v4 instructions in xlated dumps; the strict decoder reads them and the
     * disassembler prints them without BUG lines. (Debian's bpftool 7.1 predates v4, so its text
     * cannot be the reference here; DisassemblerTest checks the v4 formats.)
     */
    @org.junit.jupiter.api.Test
    void v4ProgramLoadsAndItsXlatedBytesDecode() throws IOException {
        Tools.assumeTool("clang-19");
        Tools.assumeTool("bpftool");
        Path obj = Tools.compile("clang-19", dir, "v4_forms", "v4");
        Path pin = Path.of("/sys/fs/bpf/bpf4j_asm_test_v4_" + ProcessHandle.current().pid());
        try {
            Tools.run("bpftool", "prog", "load", obj.toString(), pin.toString(), "type", "xdp");
            Path raw = dir.resolve("v4.xlated");
            Tools.run("bpftool", "prog", "dump", "xlated", "pinned", pin.toString(), "file", raw.toString());
            byte[] bytes = Files.readAllBytes(raw);
            List<Insn> insns = Insn.decode(bytes);
            assertArrayEquals(bytes, Insn.encode(insns));
            assertTrue(insns.stream().anyMatch(i -> i instanceof Insn.MovSx), "no movsx in " + insns);
            assertTrue(insns.stream().anyMatch(i -> i instanceof Insn.LoadSx), "no ldsx in " + insns);
            assertTrue(insns.stream().anyMatch(i -> i instanceof Insn.Bswap), "no bswap in " + insns);
            assertTrue(insns.stream().anyMatch(i -> i instanceof Insn.AluReg a && a.op() == AluOp.SDIV
                    || i instanceof Insn.AluImm b && (b.op() == AluOp.SDIV || b.op() == AluOp.SMOD)), "no signed div/mod in " + insns);
            for (String line : Disassembler.xlated(Disassembler.Symbols.NONE).lines(bytes))
                assertFalse(line.contains("BUG") || line.contains("(null)"), line);
        } finally {
            Files.deleteIfExists(pin);
        }
    }

    /**
     * bpftool before v7.4 (Debian 12 ships 7.1) predates the v4 forms and the kernel-internal
     * per-CPU mov: it prints the per-CPU mov as a plain {@code rX = rY}, gotol as a conditional
     * jump of op "jmp", and a sign-extending load as {@code BUG_ldx_81}; we print the newer forms.
     * Map ours back only where bpftool's own line is exactly that older form, so any other
     * difference still fails.
     */
    private static String asOldBpftool(String ours, List<String> bpftool) {
        Matcher m = Pattern.compile("^( *\\d+: )?(.*)$").matcher(ours);
        if (!m.matches()) return ours;
        String index = m.group(1) == null ? "" : m.group(1);
        String body = m.group(2);
        String old = body
                .replaceFirst("^\\(bf\\) (r\\d+) = &\\(void __percpu \\*\\)\\((r\\d+)\\)$", "(bf) $1 = $2")
                .replaceFirst("^\\(06\\) gotol pc([+-]\\d+)$", "(06) if w0 jmp 0x" + gotolHex(body) + " goto pc+0")
                .replaceFirst("^\\((81|89|91)\\) r\\d+ = \\*\\(s\\d+ \\*\\)\\(r\\d+ [+-]\\d+\\)$", "BUG_ldx_$1");
        return !old.equals(body) && bpftool.contains(index + old) ? index + old : ours;
    }

    /** The imm of a {@code gotol pc+N} line as old bpftool prints it, {@code %x} of the u32. */
    private static String gotolHex(String body) {
        Matcher m = Pattern.compile("gotol pc([+-]\\d+)$").matcher(body);
        return m.find() ? Integer.toHexString(Integer.parseInt(m.group(1))) : "";
    }

    /** Symbols as bpftool resolves them, from /proc/kallsyms. */
    private static Disassembler.Symbols kallsymsFor(List<String> functions) throws IOException {
        Map<Long, String> byAddress = new HashMap<>();
        Map<String, Long> progs = new HashMap<>();
        long callBase = 0;
        for (String l : Files.readAllLines(Path.of("/proc/kallsyms"))) {
            String[] f = l.split("\\s+");
            if (f.length < 3) continue;
            long addr = Long.parseUnsignedLong(f[0], 16);
            if (addr == 0) continue;
            byAddress.putIfAbsent(addr, f[2]);
            if (f[2].equals("__bpf_call_base")) callBase = addr;
            if (f[2].matches("bpf_prog_[0-9a-f]{16}_\\w+")) progs.put(f[2].substring(26), addr);
        }
        assertNotEquals(0, callBase, "/proc/kallsyms has no __bpf_call_base address (kptr_restrict?)");
        long[] jited = new long[functions.size()];
        for (int i = 0; i < jited.length; i++) jited[i] = progs.getOrDefault(functions.get(i), 0L);
        return Disassembler.Symbols.kallsyms(callBase, byAddress::get, jited);
    }

    private static String unescapeJson(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}
