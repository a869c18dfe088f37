package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static io.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

class InsnTest {

    /** One of every form, with the field values at their edges. */
    static List<Insn> everyForm() {
        List<Insn> all = new ArrayList<>();
        for (boolean w : new boolean[] {true, false}) {
            for (AluOp op : AluOp.values()) {
                if (!op.isBinary()) continue;
                all.add(new Insn.AluImm(w, op, R3, -7));
                all.add(new Insn.AluImm(w, op, R10, Integer.MAX_VALUE));
                all.add(new Insn.AluReg(w, op, R0, R9));
            }
            all.add(new Insn.Neg(w, R4));
            all.add(new Insn.MovSx(w, R1, R2, 8));
            all.add(new Insn.MovSx(w, R1, R2, 16));
            for (int bits : new int[] {16, 32, 64}) all.add(new Insn.Endian(w, R5, bits));
        }
        all.add(new Insn.MovSx(true, R7, R8, 32));
        for (int bits : new int[] {16, 32, 64}) all.add(new Insn.Bswap(R6, bits));
        all.add(new Insn.AddrSpaceCast(R1, R2, 0, 1));
        all.add(new Insn.AddrSpaceCast(R3, R3, 1, 0));
        for (Pseudo p : Pseudo.values()) all.add(new Insn.LdImm64(R1, p, 0x1234_5678_9abc_def0L));
        all.add(new Insn.LdImm64(R9, -1L));
        for (Size s : Size.values()) {
            all.add(new Insn.Load(s, R0, R10, -32768));
            all.add(new Insn.Store(s, R10, 32767, R1));
            all.add(new Insn.StoreImm(s, R10, -8, -1));
            all.add(new Insn.Atomic(s, AtomicOp.LOAD_ACQ, R2, 4, R3));
            all.add(new Insn.Atomic(s, AtomicOp.STORE_REL, R2, 4, R3));
            if (s != Size.DW) {
                all.add(new Insn.LoadSx(s, R4, R5, 12));
                all.add(new Insn.LdAbs(s, 14));
                all.add(new Insn.LdInd(s, R7, -2));
            }
        }
        for (AtomicOp op : AtomicOp.values()) {
            if (!op.isReadModifyWrite()) continue;
            all.add(new Insn.Atomic(Size.W, op, R1, -4, R2));
            all.add(new Insn.Atomic(Size.DW, op, R10, -16, R0));
        }
        all.add(new Insn.Ja(-1));
        all.add(new Insn.Ja(32767));
        all.add(new Insn.Gotol(-100000));
        for (boolean j32 : new boolean[] {true, false}) {
            for (JmpOp op : JmpOp.values()) {
                if (!op.isConditional()) continue;
                all.add(new Insn.Jump(j32, op, R1, -1, 5));
                all.add(new Insn.JumpReg(j32, op, R2, R3, -5));
            }
        }
        all.add(Insn.Call.helper(Helper.TAIL_CALL));
        all.add(new Insn.Call(CallKind.SUBPROG, -20, 0));
        all.add(new Insn.Call(CallKind.KFUNC, 12345, 3));
        all.add(new Insn.Exit());
        all.add(new Insn.MayGoto(7));
        all.add(new Insn.Gotox(R4));
        all.add(new Insn.MovPercpuAddr(R0, R0));
        all.add(new Insn.Nospec());
        all.add(new Insn.Zext(R0));
        all.add(new Insn.Zext(AX));
        for (Size s : Size.values()) {
            all.add(new Insn.Probe(ProbeMode.MEM, new Insn.Load(s, R1, R2, -8)));
            all.add(new Insn.Probe(ProbeMode.MEM32, new Insn.Load(s, R1, R2, 8)));
            all.add(new Insn.Probe(ProbeMode.MEM32, new Insn.Store(s, R1, 16, R2)));
            all.add(new Insn.Probe(ProbeMode.MEM32, new Insn.StoreImm(s, R1, 16, -3)));
            all.add(new Insn.Probe(ProbeMode.ATOMIC, new Insn.Atomic(s, AtomicOp.LOAD_ACQ, R3, 0, R4)));
            if (s != Size.DW) {
                all.add(new Insn.Probe(ProbeMode.MEMSX, new Insn.LoadSx(s, R1, R1, 1264)));
                all.add(new Insn.Probe(ProbeMode.MEM32SX, new Insn.LoadSx(s, R5, R6, -2)));
            }
        }
        all.add(new Insn.Probe(ProbeMode.ATOMIC, new Insn.Atomic(Size.DW, AtomicOp.FETCH_ADD, R1, 8, R2)));
        all.add(new Insn.Probe(ProbeMode.ATOMIC, new Insn.Atomic(Size.W, AtomicOp.CMPXCHG, R1, 8, R2)));
        all.add(new Insn.AluReg(true, AluOp.MOV, AX, R1));
        return all;
    }

    @Test
    void everyFormDecodesToItselfOneByOneAndAsAProgram() {
        List<Insn> all = everyForm();
        for (Insn i : all) assertEquals(List.of(i), Insn.decode(i.encode()), i.toString());
        byte[] program = Insn.encode(all);
        assertEquals(all, Insn.decode(program));
        assertArrayEquals(program, Insn.encode(Insn.decode(program)));
    }

    @Test
    void encodesTheKernelLayoutLittleEndian() {
        // r0 = 2  -> b7 00 0000 02000000 ; *(u64 *)(r10 -8) = r1 -> 7b 1a f8ff 00000000
        assertEquals("b700000002000000", hex(new Insn.AluImm(true, AluOp.MOV, R0, 2).encode()));
        assertEquals("7b1af8ff00000000", hex(new Insn.Store(Size.DW, R10, -8, R1).encode()));
        // r1 = map fd 5 as ld_imm64: 18 11 0000 05000000 | 00 00 0000 00000000
        assertEquals("1811000005000000" + "0000000000000000", hex(new Insn.LdImm64(R1, Pseudo.MAP_FD, 5).encode()));
        // sdiv is DIV with off 1; movsx r1 = (s8) r2 is MOV|X with off 8
        assertEquals("3f21010000000000", hex(new Insn.AluReg(true, AluOp.SDIV, R1, R2).encode()));
        assertEquals("bf21080000000000", hex(new Insn.MovSx(true, R1, R2, 8).encode()));
        assertEquals("850000000c000000", hex(Insn.Call.helper(Helper.TAIL_CALL).encode()));
    }

    @Test
    void writesIntoAMemorySegment() {
        List<Insn> p = List.of(new Insn.AluImm(true, AluOp.MOV, R0, 2), new Insn.Exit());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(16);
            assertEquals(16, Insn.encode(p, seg));
            assertArrayEquals(Insn.encode(p), seg.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(p, Insn.decode(seg));
            MemorySegment small = arena.allocate(8);
            var e = assertThrows(IllegalArgumentException.class, () -> Insn.encode(p, small));
            assertTrue(e.getMessage().contains("cannot hold 2 instruction slots"), e.getMessage());
        }
    }

    @Test
    void rejectsStreamsThatAreNotWholeSlots() {
        var e = assertThrows(BpfFormatException.class, () -> Insn.decode(new byte[12]));
        assertEquals("instruction stream of 12 bytes is not a multiple of 8", e.getMessage());
    }

    @Test
    void rejectsLdImm64CutInHalf() {
        byte[] half = new Insn.LdImm64(R1, 42).encode();
        byte[] cut = java.util.Arrays.copyOf(half, 8);
        var e = assertThrows(BpfFormatException.class, () -> Insn.decode(cut));
        assertEquals("insn 0 (code 0x18): ld_imm64 is cut off: its second slot is missing", e.getMessage());
        half[8] = 0x07; // second slot must carry no opcode
        assertThrows(BpfFormatException.class, () -> Insn.decode(half));
    }

    @Test
    void rejectsUndefinedOpcodesAndReservedFields() {
        assertBad("e700000000000000", "insn 0 (code 0xe7): undefined ALU op 0xe0");
        assertBad("f500000000000000", "insn 0 (code 0xf5): undefined jump op 0xf0");
        assertBad("b7b0000000000000", "insn 0 (code 0xb7): reserved field src_reg is 11, must be 0");
        assertBad("b70c000000000000", "insn 0 (code 0xb7): bad dst_reg r12 (BPF has r0..r10, and r11 in xlated code)");
        assertGood("b70b000000000000"); // r11 = 0: BPF_REG_AX, which the verifier writes into xlated code
        assertBad("9500010000000000", "insn 0 (code 0x95): reserved field off is 1, must be 0");
        assertBad("8530000000000000", "insn 0 (code 0x85): call with unknown src_reg 3 (0 helper, 1 subprog, 2 kfunc)");
        assertBad("db01000002000000", "insn 0 (code 0xdb): undefined atomic op imm 0x2");
        assertBad("1871000000000000" + "0000000000000000", "insn 0 (code 0x18): ld_imm64 with unknown src_reg 7 (pseudo kinds 0..6)");
        assertBad("bc12020000000000", "insn 0 (code 0xbc): mov with off 2 (movsx takes 8, 16)");
        assertBad("bc12200000000000", "insn 0 (code 0xbc): mov with off 32 (movsx takes 8, 16)");
        assertBad("0712010000000000", "insn 0 (code 0x07): reserved field off is 1, must be 0");
        assertBad("3712020000000000", "insn 0 (code 0x37): reserved field off is 2, must be 0");
        assertBad("d700000011000000", "insn 0 (code 0xd7): byte swap of 17 bits (16, 32 or 64)");
        assertBad("df00000010000000", "insn 0 (code 0xdf): undefined opcode: bswap has no register source form");
        assertBad("9600000000000000", "insn 0 (code 0x96): undefined opcode: exit in class jmp32");
        assertBad("9b12000000000000", "insn 0 (code 0x9b): undefined opcode for class stx");
        assertBad("cb12000001000000", "insn 0 (code 0xcb): atomic fetch_add needs size W or DW");
        assertBad("9900000000000000", "insn 0 (code 0x99): undefined opcode for class ldx");
        assertBad("3800000000000000", "insn 0 (code 0x38): undefined opcode for class ld");
        assertBad("0000000000000000", "insn 0 (code 0x00): undefined opcode for class ld");
        assertBad("b700000002000000" + "e700000000000000", "insn 1 (code 0xe7): undefined ALU op 0xe0");
        // valid neighbours of the rejected encodings decode and re-encode unchanged
        assertGood("c301000001000000"); // lock fetch_add on u32
        assertGood("9f12000000000000"); // r2 %= r1
        assertGood("3f12010000000000"); // r2 s/= r1
        assertGood("bc12100000000000"); // w2 = (s16) w1
    }

    private static void assertGood(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        assertArrayEquals(b, Insn.encode(Insn.decode(b)), hex);
    }

    private static void assertBad(String hex, String message) {
        byte[] b = HexFormat.of().parseHex(hex);
        var e = assertThrows(BpfFormatException.class, () -> Insn.decode(b), hex);
        assertEquals(message, e.getMessage());
    }

    @Test
    void recordsRejectValuesTheEncodingCannotHold() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Insn.Load(Size.W, R0, R1, 40000));
        assertEquals("off 40000 does not fit the 16-bit off field (-32768..32767)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Insn.Atomic(Size.B, AtomicOp.ADD, R0, 0, R1));
        assertThrows(IllegalArgumentException.class, () -> new Insn.MovSx(false, R0, R1, 32));
        assertThrows(IllegalArgumentException.class, () -> new Insn.LdAbs(Size.DW, 0));
        assertThrows(IllegalArgumentException.class, () -> new Insn.AluImm(true, AluOp.NEG, R0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Insn.Jump(false, JmpOp.CALL, R0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Insn.Call(CallKind.HELPER, 1, 1));
        assertEquals(List.of(new Insn.Call(CallKind.SUBPROG, 2, 26)), Insn.decode(new Insn.Call(CallKind.SUBPROG, 2, 26).encode()));
        var r = assertThrows(IllegalArgumentException.class, () -> Reg.of(11));
        assertEquals("bad register r11: BPF has r0..r10", r.getMessage());
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
