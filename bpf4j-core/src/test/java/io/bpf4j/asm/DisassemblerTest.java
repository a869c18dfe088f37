package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/** Expected strings follow the kernel's print_bpf_insn() formats that bpftool prints. */
class DisassemblerTest {

    private static final Disassembler XLATED = Disassembler.xlated(Disassembler.Symbols.NONE);
    private static final Disassembler ORIGINAL = Disassembler.original(Disassembler.Symbols.NONE);

    private static String one(Disassembler d, Insn i) {
        return d.insn(i.encode(), 0);
    }

    private static String xl(Insn i) {
        return one(XLATED, i);
    }

    @Test
    void printsBpftoolLinesWithTheIndexColumn() {
        List<Insn> p = new Asm()
                .mov64(R0, 2).exit()
                .call(Helper.TAIL_CALL)
                .insn(new Insn.LdImm64(R2, Pseudo.MAP_FD, 5))
                .ldx(Size.W, R0, R1, 0)
                .mov64(R6, R1)
                .insn(new Insn.Jump(false, JmpOp.JEQ, R0, 0, 1))
                .stx(Size.DW, R10, -8, R1)
                .assemble();
        assertEquals(List.of(
                "   0: (b7) r0 = 2",
                "   1: (95) exit",
                "   2: (85) call bpf_tail_call#12",
                "   3: (18) r2 = map[id:5]",
                "   5: (61) r0 = *(u32 *)(r1 +0)",
                "   6: (bf) r6 = r1",
                "   7: (15) if r0 == 0x0 goto pc+1",
                "   8: (7b) *(u64 *)(r10 -8) = r1"), XLATED.lines(p));
        assertTrue(XLATED.dump(Insn.encode(p)).endsWith("(7b) *(u64 *)(r10 -8) = r1\n"));
    }

    @Test
    void indexColumnGrowsPastFourDigits() {
        Asm a = new Asm();
        for (int i = 0; i <= 10000; i++) a.mov64(R0, i);
        List<String> lines = XLATED.lines(a.bytes());
        assertEquals(" 999: (b7) r0 = 999", lines.get(999));
        assertEquals(" 9999: (b7) r0 = 9999", lines.get(9999)); // C "% 4d": the sign space counts in the width
        assertEquals(" 10000: (b7) r0 = 10000", lines.get(10000));
    }

    @Test
    void aluForms() {
        assertEquals("(04) w1 += -5", xl(new Insn.AluImm(false, AluOp.ADD, R1, -5)));
        assertEquals("(cf) r3 s>>= r4", xl(new Insn.AluReg(true, AluOp.ARSH, R3, R4)));
        assertEquals("(87) r2 = -r2", xl(new Insn.Neg(true, R2)));
        assertEquals("(84) w2 = -w2", xl(new Insn.Neg(false, R2)));
        assertEquals("(dc) r1 = be16 r1", xl(new Insn.Endian(true, R1, 16)));
        assertEquals("(d4) r1 = le64 r1", xl(new Insn.Endian(false, R1, 64)));
        assertEquals("(d7) r1 = bswap32 r1", xl(new Insn.Bswap(R1, 32)));
        assertEquals("(3f) r1 s/= r2", xl(new Insn.AluReg(true, AluOp.SDIV, R1, R2)));
        assertEquals("(94) w1 s%= 7", xl(new Insn.AluImm(false, AluOp.SMOD, R1, 7)));
        assertEquals("(bf) r1 = (s8)r2", xl(new Insn.MovSx(true, R1, R2, 8)));
        assertEquals("(bf) r1 = (s32)r2", xl(new Insn.MovSx(true, R1, R2, 32)));
        assertEquals("(bc) w1 = (s16)w2", xl(new Insn.MovSx(false, R1, R2, 16)));
        assertEquals("(bf) r1 = addr_space_cast(r2, 0, 1)", xl(new Insn.AddrSpaceCast(R1, R2, 0, 1)));
        assertEquals("(bf) r0 = &(void __percpu *)(r0)", xl(new Insn.MovPercpuAddr(R0, R0)));
    }

    @Test
    void memoryForms() {
        assertEquals("(91) r0 = *(s8 *)(r1 +2)", xl(new Insn.LoadSx(Size.B, R0, R1, 2)));
        assertEquals("(62) *(u32 *)(r10 -4) = -1", xl(new Insn.StoreImm(Size.W, R10, -4, -1)));
        assertEquals("(28) r0 = *(u16 *)skb[12]", xl(new Insn.LdAbs(Size.H, 12)));
        assertEquals("(40) r0 = *(u32 *)skb[r8 + 14]", xl(new Insn.LdInd(Size.W, R8, 14)));
        assertEquals("(18) r1 = 0xffffffffffffffff", xl(new Insn.LdImm64(R1, -1L)));
        assertEquals("(18) r1 = map[id:7][0]+16", xl(new Insn.LdImm64(R1, Pseudo.MAP_VALUE, 7 | (16L << 32))));
        assertEquals("(18) r2 = subprog[+41]", xl(new Insn.LdImm64(R2, Pseudo.FUNC, 41)));
        assertEquals("(c2) nospec", xl(new Insn.Nospec()));
    }

    @Test
    void atomicForms() {
        assertEquals("(db) lock *(u64 *)(r0 +0) += r7", xl(new Insn.Atomic(Size.DW, AtomicOp.ADD, R0, 0, R7)));
        assertEquals("(c3) lock *(u32 *)(r5 +0) |= r2", xl(new Insn.Atomic(Size.W, AtomicOp.OR, R5, 0, R2)));
        assertEquals("(db) r4 = atomic64_fetch_and((u64 *)(r1 +0), r4)", xl(new Insn.Atomic(Size.DW, AtomicOp.FETCH_AND, R1, 0, R4)));
        assertEquals("(c3) r4 = atomic_fetch_xor((u32 *)(r5 +0), r4)", xl(new Insn.Atomic(Size.W, AtomicOp.FETCH_XOR, R5, 0, R4)));
        assertEquals("(db) r4 = atomic64_xchg((u64 *)(r1 -8), r4)", xl(new Insn.Atomic(Size.DW, AtomicOp.XCHG, R1, -8, R4)));
        assertEquals("(c3) r0 = atomic_cmpxchg((u32 *)(r5 +0), r0, r2)", xl(new Insn.Atomic(Size.W, AtomicOp.CMPXCHG, R5, 0, R2)));
        assertEquals("(d3) r1 = load_acquire((u8 *)(r2 +4))", xl(new Insn.Atomic(Size.B, AtomicOp.LOAD_ACQ, R1, 4, R2)));
        assertEquals("(cb) store_release((u16 *)(r1 +4), r2)", xl(new Insn.Atomic(Size.H, AtomicOp.STORE_REL, R1, 4, R2)));
    }

    @Test
    void jumpForms() {
        assertEquals("(05) goto pc-3", xl(new Insn.Ja(-3)));
        assertEquals("(06) gotol pc+40000", xl(new Insn.Gotol(40000)));
        assertEquals("(e5) may_goto pc+2", xl(new Insn.MayGoto(2)));
        assertEquals("(0d) gotox r3", xl(new Insn.Gotox(R3)));
        assertEquals("(c6) if w9 s< 0xfffffffb goto pc+16", xl(new Insn.Jump(true, JmpOp.JSLT, R9, -5, 16)));
        assertEquals("(2d) if r1 > r2 goto pc+4", xl(new Insn.JumpReg(false, JmpOp.JGT, R1, R2, 4)));
        assertEquals("(4e) if w1 & w2 goto pc-1", xl(new Insn.JumpReg(true, JmpOp.JSET, R1, R2, -1)));
    }

    @Test
    void xlatedCallsAreNamedThroughKallsymsAndJitedSubprogs() {
        long base = 0xffffffff814ca810L;
        Map<Long, String> kallsyms = Map.of(
                base + 330864, "__htab_map_lookup_elem",
                0xffffffffc0001000L, "bpf_prog_9117985edf26226c_bpf4j_step");
        var syms = Disassembler.Symbols.kallsyms(base, kallsyms::get, new long[] {0xffffffffc0000000L, 0xffffffffc0001000L});
        Disassembler d = Disassembler.xlated(syms);
        assertEquals("(85) call __htab_map_lookup_elem#330864", one(d, new Insn.Call(CallKind.HELPER, 330864, 0)));
        // an imm that is a helper id is named by the id, as the kernel's __func_get_name does first
        assertEquals("(85) call bpf_map_lookup_elem#1", one(d, Insn.Call.helper(Helper.MAP_LOOKUP_ELEM)));
        assertEquals("(85) call 0xffffffff814ca80f#-1", one(d, new Insn.Call(CallKind.HELPER, -1, 0)));
        assertEquals("(85) call pc+26#bpf_prog_9117985edf26226c_bpf4j_step", one(d, new Insn.Call(CallKind.SUBPROG, 1, 26)));
        assertEquals("(85) call pc+8#0xffffffffc0000000", one(d, new Insn.Call(CallKind.SUBPROG, 0, 8)));
        assertEquals("(85) call 0xffffffff814ca8ba#170", one(d, new Insn.Call(CallKind.KFUNC, 170, 0)));
        // not JITed and no kallsyms: bpftool shows the bare offsets
        assertEquals("(85) call pc+26", xl(new Insn.Call(CallKind.SUBPROG, 1, 26)));
        assertEquals("(85) call 0x50c70#330864", xl(new Insn.Call(CallKind.HELPER, 330864, 0)));
    }

    @Test
    void originalInstructionsUseTheVerifierLogForms() {
        assertEquals("(85) call pc+3", one(ORIGINAL, new Insn.Call(CallKind.SUBPROG, 3, 0)));
        assertEquals("(85) call kernel-function#99", one(ORIGINAL, new Insn.Call(CallKind.KFUNC, 99, 0)));
        assertEquals("(85) call bpf_cgrp_storage_delete#211", one(ORIGINAL, Insn.Call.helper(Helper.CGRP_STORAGE_DELETE)));
        assertEquals("(85) call unknown#212", one(ORIGINAL, new Insn.Call(CallKind.HELPER, 212, 0)));
        assertEquals("(18) r1 = map[fd:3]", one(ORIGINAL, new Insn.LdImm64(R1, Pseudo.MAP_FD, 3)));
        assertEquals("(18) r1 = map[fd:3][0]+8", one(ORIGINAL, new Insn.LdImm64(R1, Pseudo.MAP_VALUE, 3 | (8L << 32))));
        assertEquals("(18) r1 = map[idx:0]", one(ORIGINAL, new Insn.LdImm64(R1, Pseudo.MAP_IDX, 0)));
        assertEquals("(18) r1 = btf_id[1234]", one(ORIGINAL, new Insn.LdImm64(R1, Pseudo.BTF_ID, 1234)));
    }

    @Test
    void symbolsCanNameMaps() {
        var names = new Disassembler.Symbols() {
            @Override
            public String imm64(int srcReg, int imm, int nextImm) {
                return srcReg == Pseudo.MAP_FD.srcReg() ? "map[id:" + imm + "] events" : null;
            }
        };
        Disassembler d = Disassembler.xlated(names);
        assertEquals("(18) r2 = map[id:5] events", one(d, new Insn.LdImm64(R2, Pseudo.MAP_FD, 5)));
        assertEquals("(18) r2 = 0x2a", one(d, new Insn.LdImm64(R2, 42)));
    }

    @Test
    void undefinedEncodingsPrintAsTheKernelDoes() {
        assertEquals("(e7) r0 (null) 0", insnOf("e700000000000000"));
        assertEquals("BUG_ld_00", insnOf("0000000000000000"));
        assertEquals("BUG_ldx_21", insnOf("2100000000000000"));
        assertEquals("BUG_st_22", insnOf("2200000000000000"));
        assertEquals("BUG_23", insnOf("2300000000000000"));
        assertEquals("BUG_db", insnOf("db00000002000000"));
        assertEquals("(99) r0 = *((null) *)(r0 +0)", insnOf("9900000000000000"));
        assertEquals("(f5) if r0 (null) 0x0 goto pc+0", insnOf("f500000000000000"));
    }

    @Test
    void rejectsPartialSlotsAndACutLdImm64() {
        var e = assertThrows(BpfFormatException.class, () -> XLATED.lines(new byte[9]));
        assertEquals("instruction stream of 9 bytes is not a multiple of 8", e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(new Insn.LdImm64(R1, 1).encode(), 8);
        e = assertThrows(BpfFormatException.class, () -> XLATED.lines(cut));
        assertEquals("insn 0 (code 0x18): ld_imm64 is cut off: its second slot is missing", e.getMessage());
    }

    private static String insnOf(String hex) {
        return XLATED.insn(HexFormat.of().parseHex(hex), 0);
    }
}
