package io.bpf4j.asm;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Decodes the code sections of clang-built objects and checks every instruction against LLVM's
 * own disassembler: same boundaries and opcode, the same operator, and the same call ids, jump
 * offsets and 64-bit immediates. Covers {@code -mcpu=v3} with the default clang and {@code v4}
 * (signed div/mod, movsx, sign-extending loads, bswap) with clang-19.
 */
class LlvmObjdumpTest {

    private static final Pattern NUM = Pattern.compile("[+-]?(?:0x[0-9a-f]+|\\d+)");
    private static final Pattern CALL = Pattern.compile("^call (" + NUM + ")$");
    private static final Pattern GOTO = Pattern.compile("goto(?:l)? (" + NUM + ")(?: <.*>)?$");
    private static final Pattern LL = Pattern.compile("= (" + NUM + ") ll$");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} with {1} -mcpu={3}")
    @CsvSource({
        "xdp_const, clang, llvm-objdump, v3",
        "xdp_maps, clang, llvm-objdump, v3",
        "socket_filter, clang, llvm-objdump, v3",
        "kprobe_tail, clang, llvm-objdump, v3",
        "atomics, clang, llvm-objdump, v3",
        "xdp_maps, clang-19, llvm-objdump-19, v4",
        "socket_filter, clang-19, llvm-objdump-19, v4",
        "kprobe_tail, clang-19, llvm-objdump-19, v4",
        "atomics, clang-19, llvm-objdump-19, v4",
        "v4_forms, clang-19, llvm-objdump-19, v4",
    })
    void everyInstructionAgreesWithLlvmObjdump(String name, String clang, String objdump, String cpu) {
        Tools.assumeTool(clang);
        Tools.assumeTool(objdump);
        Path obj = Tools.compile(clang, dir, name, cpu);
        Map<String, List<Tools.ObjdumpLine>> sections = Tools.objdump(objdump, obj, cpu);
        assertFalse(sections.isEmpty(), "llvm-objdump showed no code in " + obj);
        Set<Class<?>> forms = new java.util.HashSet<>();
        Set<AluOp> aluOps = EnumSet.noneOf(AluOp.class);
        int checked = 0;
        for (var section : sections.entrySet()) {
            for (Tools.ObjdumpLine l : section.getValue())
                assertNotEquals("<unknown>", l.text(), "llvm-objdump could not read " + section.getKey() + ":" + l.slot());
            byte[] bytes = Tools.bytes(section.getValue());
            List<Insn> insns = Insn.decode(bytes);
            assertArrayEquals(bytes, Insn.encode(insns), section.getKey());
            Map<Integer, Insn> bySlot = new HashMap<>();
            int slot = 0;
            for (Insn i : insns) {
                bySlot.put(slot, i);
                slot += i.slots();
            }
            for (Tools.ObjdumpLine l : section.getValue()) {
                Insn i = bySlot.get(l.slot());
                String where = section.getKey() + ":" + l.slot() + " " + l.text();
                assertNotNull(i, "no instruction starts at " + where);
                assertEquals(l.bytes().length, i.slots() * 8, where);
                assertEquals(l.bytes()[0] & 0xff, i.opcode(), where);
                agrees(i, l.text(), where);
                forms.add(i.getClass());
                if (i instanceof Insn.AluImm a) aluOps.add(a.op());
                if (i instanceof Insn.AluReg a) aluOps.add(a.op());
                checked++;
            }
        }
        assertTrue(checked > 0);
        if (name.equals("v4_forms")) {
            assertTrue(forms.containsAll(List.of(Insn.MovSx.class, Insn.LoadSx.class, Insn.Bswap.class)), forms.toString());
            assertTrue(aluOps.containsAll(List.of(AluOp.SDIV, AluOp.SMOD)), aluOps.toString());
        }
    }

    /** Checks what LLVM's text says about the operator and numbers against the decoded record. */
    private static void agrees(Insn insn, String text, String where) {
        switch (insn) {
            case Insn.Call c -> assertEquals(c.imm(), number(CALL, text, where), where);
            case Insn.LdImm64 ld -> assertEquals(ld.imm(), number(LL, text, where), where);
            case Insn.Ja j -> assertEquals(j.off(), number(GOTO, text, where), where);
            case Insn.Gotol g -> assertEquals(g.imm(), number(GOTO, text, where), where);
            case Insn.Jump j -> {
                assertTrue(text.startsWith("if " + (j.jmp32() ? "w" : "r") + j.dst().number() + " " + j.op().operator() + " "), where);
                assertEquals(j.off(), number(GOTO, text, where), where);
            }
            case Insn.JumpReg j -> {
                String w = j.jmp32() ? "w" : "r";
                assertTrue(text.startsWith("if " + w + j.dst().number() + " " + j.op().operator() + " " + w + j.src().number() + " "), where);
                assertEquals(j.off(), number(GOTO, text, where), where);
            }
            case Insn.AluImm a -> assertTrue(text.startsWith((a.alu64() ? "r" : "w") + a.dst().number() + " " + a.op().operator() + " "), where);
            case Insn.AluReg a -> {
                String w = a.alu64() ? "r" : "w";
                assertEquals(w + a.dst().number() + " " + a.op().operator() + " " + w + a.src().number(), text, where);
            }
            case Insn.MovSx m -> {
                String w = m.alu64() ? "r" : "w";
                assertEquals(w + m.dst().number() + " = (s" + m.bits() + ")" + w + m.src().number(), text, where);
            }
            case Insn.Bswap s -> assertEquals("r" + s.dst().number() + " = bswap" + s.bits() + " r" + s.dst().number(), text, where);
            case Insn.Endian e -> assertEquals("r" + e.dst().number() + " = " + (e.bigEndian() ? "be" : "le") + e.bits() + " r" + e.dst().number(), text, where);
            case Insn.Neg n -> assertTrue(text.matches("[rw]" + n.dst().number() + " = -[rw]" + n.dst().number()), where);
            case Insn.Load l -> assertTrue(text.matches("[rw]" + l.dst().number() + " .*") && text.startsWith(" = *(" + l.size().unsignedType() + " *)(r" + l.src().number() + " ", text.indexOf(' ')), where);
            case Insn.LoadSx l -> assertTrue(text.startsWith("r" + l.dst().number() + " = *(" + l.size().signedType() + " *)(r" + l.src().number() + " "), where);
            case Insn.Store s -> assertTrue(text.matches("\\*\\(" + s.size().unsignedType() + " \\*\\)\\(r" + s.dst().number() + " .*\\) = [rw]" + s.src().number()), where);
            case Insn.StoreImm s -> assertTrue(text.startsWith("*(" + s.size().unsignedType() + " *)(r" + s.dst().number() + " "), where);
            case Insn.LdAbs a -> assertTrue(text.startsWith("r0 = *(" + a.size().unsignedType() + " *)skb["), where);
            case Insn.LdInd a -> assertTrue(text.startsWith("r0 = *(" + a.size().unsignedType() + " *)skb[r" + a.src().number()), where);
            case Insn.Atomic a -> {
                String expected = switch (a.op()) {
                    case ADD, OR, AND, XOR -> "lock *(" + a.size().unsignedType() + " *)(r" + a.dst().number();
                    case FETCH_ADD, FETCH_OR, FETCH_AND, FETCH_XOR -> "atomic_fetch_" + a.op().mnemonic() + "(";
                    case XCHG -> "xchg";
                    case CMPXCHG -> "cmpxchg";
                    default -> a.op().mnemonic();
                };
                assertTrue(text.contains(expected), where + " should contain " + expected);
            }
            case Insn.Exit e -> assertEquals("exit", text, where);
            default -> fail("clang emitted a form this test does not check: " + insn + " at " + where);
        }
    }

    private static long number(Pattern p, String text, String where) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), where + " does not match " + p);
        String s = m.group(1);
        boolean neg = s.startsWith("-");
        if (s.startsWith("+") || neg) s = s.substring(1);
        long v = s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        return neg ? -v : v;
    }
}
