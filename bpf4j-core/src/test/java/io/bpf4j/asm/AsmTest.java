package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static io.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

class AsmTest {

    @Test
    void xdpPassIsMovAndExit() {
        List<Insn> p = new Asm().mov64(R0, 2).exit().assemble();
        assertEquals(List.of(new Insn.AluImm(true, AluOp.MOV, R0, 2), new Insn.Exit()), p);
        assertEquals("b700000002000000" + "9500000000000000", InsnTest.hex(Insn.encode(p)));
    }

    @Test
    void tailCallProgramUsesTwoSlotsForTheMapFd() {
        Asm a = new Asm().ldMapFd(R2, 7).mov64(R3, 0).call(Helper.TAIL_CALL).ret(0);
        assertEquals(6, a.slots());
        byte[] b = a.bytes();
        assertEquals(48, b.length);
        assertEquals("1812000007000000" + "0000000000000000" + "b703000000000000" + "850000000c000000"
                + "b700000000000000" + "9500000000000000", InsnTest.hex(b));
    }

    @Test
    void labelsResolveForwardAndBackwardAcrossLdImm64() {
        List<Insn> p = new Asm()
                .mov64(R0, 0)                // 0
                .label("loop").add64(R0, 1)  // 1
                .jeq(R0, 10, "out")          // 2 -> 6: off +3
                .ldImm64(R1, 1L << 40)       // 3,4
                .ja("loop")                  // 5 -> 1: off -5
                .label("out").exit()         // 6
                .assemble();
        assertEquals(new Insn.Jump(false, JmpOp.JEQ, R0, 10, 3), p.get(2));
        assertEquals(new Insn.Ja(-5), p.get(4));
    }

    @Test
    void subprogCallsAndFuncPointersCountFromTheNextSlot() {
        List<Insn> p = new Asm()
                .callSubprog("f")            // 0 -> 4: imm +3
                .ldFunc(R1, "f")             // 1,2 -> 4: imm +2, from the second slot as the kernel counts
                .exit()                      // 3
                .label("f").ret(1)           // 4,5
                .assemble();
        assertEquals(new Insn.Call(CallKind.SUBPROG, 3, 0), p.get(0));
        assertEquals(new Insn.LdImm64(R1, Pseudo.FUNC, 2), p.get(1));
    }

    @Test
    void mapValueCarriesTheOffsetInTheSecondSlot() {
        Insn.LdImm64 ld = (Insn.LdImm64) new Asm().ldMapValue(R1, 3, 16).assemble().getFirst();
        assertEquals(Pseudo.MAP_VALUE, ld.pseudo());
        assertEquals(3, ld.lowImm());
        assertEquals(16, ld.highImm());
    }

    @Test
    void undefinedLabelIsAFormatErrorAtAssemble() {
        Asm a = new Asm().ja("nowhere").exit();
        var e = assertThrows(BpfFormatException.class, a::assemble);
        assertEquals("undefined label 'nowhere' used at slot 0", e.getMessage());
    }

    @Test
    void labelAfterTheLastInstructionIsAFormatError() {
        Asm a = new Asm().ja("end").exit().label("end");
        var e = assertThrows(BpfFormatException.class, a::assemble);
        assertEquals("label 'end' marks no instruction: it follows the last one", e.getMessage());
    }

    @Test
    void jumpBeyondSixteenBitsIsAFormatErrorButGotolReachesIt() {
        Asm far = new Asm().ja("far");
        for (int i = 0; i < 40000; i++) far.mov64(R0, i);
        far.label("far").exit();
        var e = assertThrows(BpfFormatException.class, far::assemble);
        assertEquals("jump at slot 0 to label 'far' spans 40000 slots, beyond the 16-bit off (-32768..32767); use gotol",
                e.getMessage());
        Asm ok = new Asm().gotol("far");
        for (int i = 0; i < 40000; i++) ok.mov64(R0, i);
        ok.label("far").exit();
        assertEquals(new Insn.Gotol(40000), ok.assemble().getFirst());
    }

    @Test
    void badArgumentsThrowIllegalArgumentAtOnce() {
        Asm a = new Asm().label("x");
        var dup = assertThrows(IllegalArgumentException.class, () -> a.label("x"));
        assertEquals("label 'x' already marks slot 0", dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.atomic(Size.H, AtomicOp.ADD, R1, 0, R2));
        assertThrows(IllegalArgumentException.class, () -> a.ldx(Size.W, R0, R1, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> a.jmp(JmpOp.EXIT, R0, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> a.mov64(Reg.of(12), 0));
        var ax = assertThrows(IllegalArgumentException.class, () -> a.mov64(Reg.AX, R1));
        assertTrue(ax.getMessage().startsWith("bad register r11 in "), ax.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.jeq(Reg.AX, 0, "x"));
        assertEquals(0, a.slots(), "failed appends leave nothing behind");
    }

    @Test
    void writesTheProgramIntoAMemorySegment() {
        Asm a = new Asm().mov64(R0, 1).exit();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            assertEquals(16, a.writeTo(seg));
            assertArrayEquals(a.bytes(), seg.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void everyMethodEmitsTheFormItNames() {
        List<Insn> p = new Asm()
                .mov32(R1, -1).mov32(R1, R2).alu32(AluOp.XOR, R3, 5).alu64(AluOp.SDIV, R4, R5)
                .sub64(R1, 2).sub64(R1, R2).add64(R1, R2).and64(R1, 0xff).lsh64(R1, 3).rsh64(R1, 3)
                .neg64(R1).neg32(R1).movsx64(R1, R2, 32).movsx32(R1, R2, 16).toBe(R1, 16).toLe(R1, 64).bswap(R1, 32)
                .ldx(Size.B, R0, R1, 1).ldxsx(Size.H, R0, R1, 2).stx(Size.DW, R10, -8, R1).st(Size.W, R10, -4, 9)
                .atomic(Size.DW, AtomicOp.CMPXCHG, R10, -8, R2).ldAbs(Size.B, 23).ldInd(Size.W, R6, 14)
                .jmp(JmpOp.JSGT, R1, R2, "e").jmp32(JmpOp.JLT, R1, 4, "e").jmp32(JmpOp.JSET, R1, R2, "e")
                .jne(R1, 0, "e").mayGoto("e").callKfunc(99).callKfunc(99, 2)
                .label("e").exit()
                .assemble();
        byte[] b = Insn.encode(p);
        assertEquals(p, Insn.decode(b));
        assertEquals(new Insn.AluImm(false, AluOp.MOV, R1, -1), p.get(0));
        assertEquals(new Insn.AluReg(true, AluOp.SDIV, R4, R5), p.get(3));
        assertEquals(new Insn.Atomic(Size.DW, AtomicOp.CMPXCHG, R10, -8, R2), p.get(21));
        assertEquals(new Insn.JumpReg(false, JmpOp.JSGT, R1, R2, 6), p.get(24));
        assertEquals(new Insn.Call(CallKind.KFUNC, 99, 2), p.get(30));
    }
}
