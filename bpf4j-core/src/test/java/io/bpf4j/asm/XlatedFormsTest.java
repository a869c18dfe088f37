package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The instructions the verifier writes into a loaded program, byte for byte as they come back in
 * {@code xlated_prog_insns}: each decodes to one record, encodes back to the same bytes, and
 * prints as bpftool prints it (the format strings of the kernel's {@code print_bpf_insn()} in
 * kernel/bpf/disasm.c and bpftool's xlated_dumper.c). Encodings the kernel never produces next
 * to them are still rejected.
 */
class XlatedFormsTest {

    /** Addresses as on a 6.18 host; the call imms below are symbol minus {@code __bpf_call_base}. */
    private static final long CALL_BASE = 0xffffffff814ded50L;
    private static final long JITED_MAIN = 0xffffffffc0001000L;
    private static final long JITED_SUB = 0xffffffffc0002000L;
    private static final Map<Long, String> KALLSYMS = Map.of(
            CALL_BASE - 66304, "bpf_get_current_task_btf",
            CALL_BASE - 1588928, "arch_bpf_timed_may_goto",
            CALL_BASE + 0x80920, "bpf_arena_alloc_pages",
            JITED_SUB, "bpf_prog_9117985edf26226c_bpf4j_step");
    private static final Disassembler BPFTOOL = Disassembler.xlated(
            Disassembler.Symbols.kallsyms(CALL_BASE, KALLSYMS::get, new long[] {JITED_MAIN, JITED_SUB}));

    static Stream<Arguments> insertedForms() {
        return Stream.of(
                // BPF_ZEXT_REG after a 32-bit cmpxchg (every arch) or any 32-bit def (JITs that need zext)
                form("bc00000001000000", new Insn.Zext(R0), "(bc) w0 = w0"),
                // ... and after constant blinding's 32-bit halves, on r11
                form("bcbb000001000000", new Insn.Zext(AX), "(bc) w11 = w11"),
                // addr_space_cast to the arena (1, 0) stays for the JIT; (0, 1) becomes the mov32 below
                form("bf21010000000100", new Insn.AddrSpaceCast(R1, R2, 1, 0), "(bf) r1 = addr_space_cast(r2, 1, 0)"),
                form("bc21000000000000", new Insn.AluReg(false, AluOp.MOV, R1, R2), "(bc) w1 = w2"),
                // BPF_ST_NOSPEC against Spectre v4/v1 in programs without CAP_PERFMON
                form("c200000000000000", new Insn.Nospec(), "(c2) nospec"),
                // BPF_JMP32_A into a struct_ops epilogue, and a program's own gotol the verifier keeps
                form("0600000001000000", new Insn.Gotol(1), "(06) gotol pc+1"),
                form("06000000f6ffffff", new Insn.Gotol(-10), "(06) gotol pc-10"),
                // BPF_MOV64_PERCPU_REG of an inlined bpf_get_smp_processor_id() or per-CPU lookup
                form("bf00ffff00000000", new Insn.MovPercpuAddr(R0, R0), "(bf) r0 = &(void __percpu *)(r0)"),
                // helper call rewritten to function minus __bpf_call_base, named by kallsyms
                form("8500000000fdfeff", new Insn.Call(CallKind.HELPER, -66304, 0), "(85) call bpf_get_current_task_btf#-66304"),
                // timed may_goto's call of arch_bpf_timed_may_goto, with r11 around it
                form("8500000040c1e7ff", new Insn.Call(CallKind.HELPER, -1588928, 0), "(85) call arch_bpf_timed_may_goto#-1588928"),
                form("79abf0ff00000000", new Insn.Load(Size.DW, AX, R10, -16), "(79) r11 = *(u64 *)(r10 -16)"),
                form("b70b0000f0ffffff", new Insn.AluImm(true, AluOp.MOV, AX, -16), "(b7) r11 = -16"),
                form("7a0af0ffffff0000", new Insn.StoreImm(Size.DW, R10, -16, 0xffff), "(7a) *(u64 *)(r10 -16) = 65535"),
                // BPF_TAIL_CALL dumped as the helper call again
                form("850000000c000000", Insn.Call.helper(Helper.TAIL_CALL), "(85) call bpf_tail_call#12"),
                // kfunc call, BTF id replaced by address minus __bpf_call_base, off the module BTF index
                form("8520000020090800", new Insn.Call(CallKind.KFUNC, 0x80920, 0), "(85) call bpf_arena_alloc_pages#526624"),
                // BPF-to-BPF call after jit_subprogs(): relative target in off, subprogram index in imm
                form("85101a0001000000", new Insn.Call(CallKind.SUBPROG, 1, 26), "(85) call pc+26#bpf_prog_9117985edf26226c_bpf4j_step"),
                // ld_imm64 after bpf_insn_prepare_dump(): map id and value offset; subprogram address; pointer
                form("1812000007000000" + "0000000000000000", new Insn.LdImm64(R2, Pseudo.MAP_FD, 7), "(18) r2 = map[id:7]"),
                form("1822000007000000" + "0000000010000000", new Insn.LdImm64(R2, Pseudo.MAP_VALUE, 7 | 16L << 32),
                        "(18) r2 = map[id:7][0]+16"),
                form("18420000002000c0" + "00000000ffffffff", new Insn.LdImm64(R2, Pseudo.FUNC, JITED_SUB),
                        "(18) r2 = subprog[-1073733632]"),
                form("18010000c0b0a082" + "00000000ffffffff", new Insn.LdImm64(R1, 0xffffffff82a0b0c0L), "(18) r1 = 0xffffffff82a0b0c0"),
                // probe modes: bpf_insn_prepare_dump() leaves PROBE_MEMSX, PROBE_MEM32SX and PROBE_ATOMIC as they are
                form("4111f00400000000", new Insn.Probe(ProbeMode.MEMSX, new Insn.LoadSx(Size.W, R1, R1, 1264)), "BUG_ldx_41"),
                form("c956000000000000", new Insn.Probe(ProbeMode.MEM32SX, new Insn.LoadSx(Size.H, R6, R5, 0)), "BUG_ldx_c9"),
                form("fb21080001000000", new Insn.Probe(ProbeMode.ATOMIC, new Insn.Atomic(Size.DW, AtomicOp.FETCH_ADD, R1, 8, R2)),
                        "BUG_fb"),
                form("e321000000010000", new Insn.Probe(ProbeMode.ATOMIC, new Insn.Atomic(Size.W, AtomicOp.LOAD_ACQ, R1, 0, R2)),
                        "BUG_e3"),
                // ... and turns PROBE_MEM (since 5.8) and PROBE_MEM32 back into MEM, but their bytes still round-trip
                form("3921080000000000", new Insn.Probe(ProbeMode.MEM, new Insn.Load(Size.DW, R1, R2, 8)), "BUG_ldx_39"),
                form("b921000000000000", new Insn.Probe(ProbeMode.MEM32, new Insn.Load(Size.DW, R1, R2, 0)), "BUG_ldx_b9"),
                form("a201080005000000", new Insn.Probe(ProbeMode.MEM32, new Insn.StoreImm(Size.W, R1, 8, 5)), "BUG_st_a2"),
                form("bbb1000000000000", new Insn.Probe(ProbeMode.MEM32, new Insn.Store(Size.DW, R1, 0, AX)), "BUG_bb"),
                // rewrites into v4 forms: movsx after a sign-extending ctx load; sdiv/smod patches with r11
                form("bf11200000000000", new Insn.MovSx(true, R1, R1, 32), "(bf) r1 = (s32)r1"),
                form("bf2b000000000000", new Insn.AluReg(true, AluOp.MOV, AX, R2), "(bf) r11 = r2"),
                form("3fb1010000000000", new Insn.AluReg(true, AluOp.SDIV, R1, AX), "(3f) r1 s/= r11"),
                form("9cb1010000000000", new Insn.AluReg(false, AluOp.SMOD, R1, AX), "(9c) w1 s%= w11"),
                form("d701000040000000", new Insn.Bswap(R1, 64), "(d7) r1 = bswap64 r1"),
                form("8111f00400000000", new Insn.LoadSx(Size.W, R1, R1, 1264), "(81) r1 = *(s32 *)(r1 +1264)"),
                // sanitize_dead_code()'s trap and the sdiv-by--1 patch
                form("0500ffff00000000", new Insn.Ja(-1), "(05) goto pc-1"),
                form("8701000000000000", new Insn.Neg(true, R1), "(87) r1 = -r1"));
    }

    private static Arguments form(String hex, Insn insn, String bpftool) {
        return Arguments.of(hex, insn, bpftool);
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("insertedForms")
    void decodesToOneRecordEncodesBackAndPrintsAsBpftool(String hex, Insn insn, String bpftool) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertEquals(List.of(insn), Insn.decode(bytes));
        assertEquals(hex, HexFormat.of().formatHex(insn.encode()));
        assertEquals(bpftool, BPFTOOL.insn(bytes, 0));
        assertEquals(List.of("   0: " + bpftool), BPFTOOL.lines(List.of(insn)));
    }

    @Test
    void theXlatedDumpOfA618ProgramDecodesAndPrintsAsBpftoolDid() {
        // atomics.c, case 5 of BpftoolXlatedTest: the slots around the zext that failed to decode
        byte[] bytes = HexFormat.of().parseHex("b400000001000000" + "c3010000f1000000" + "bc00000001000000" + "7b02280000000000");
        assertEquals(List.of(
                new Insn.AluImm(false, AluOp.MOV, R0, 1),
                new Insn.Atomic(Size.W, AtomicOp.CMPXCHG, R1, 0, R0),
                new Insn.Zext(R0),
                new Insn.Store(Size.DW, R2, 40, R0)), Insn.decode(bytes));
        assertEquals(List.of(
                "   0: (b4) w0 = 1",
                "   1: (c3) r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r0)",
                "   2: (bc) w0 = w0",
                "   3: (7b) *(u64 *)(r2 +40) = r0"), BPFTOOL.lines(bytes));
    }

    @Test
    void xlatedMapIndexValuesPrintAsBpftoolsPrintImm() {
        // src_reg 6 never survives bpf_insn_prepare_dump(), but bpftool has a format for it
        assertEquals("(18) r1 = map[idx:2]+-8", BPFTOOL.insn(new Insn.LdImm64(R1, Pseudo.MAP_IDX_VALUE, 2 | -8L << 32).encode(), 0));
        assertEquals("(18) r1 = map[id:-1]", BPFTOOL.insn(new Insn.LdImm64(R1, Pseudo.MAP_FD, 0xffffffffL).encode(), 0));
    }

    @Test
    void rejectsNeighboursOfTheInsertedFormsThatTheKernelNeverWrites() {
        assertBad("bc12000001000000", "insn 0 (code 0xbc): zero extension (mov32 with imm 1) of r2 from r1: src_reg must be dst_reg");
        assertBad("bf11000001000000", "insn 0 (code 0xbf): reserved field imm is 1, must be 0");
        assertBad("bc11000002000000", "insn 0 (code 0xbc): reserved field imm is 2, must be 0");
        assertBad("bc11010001000000", "insn 0 (code 0xbc): reserved field imm is 1, must be 0");
        assertBad("bc11010000000000", "insn 0 (code 0xbc): mov with off 1 (movsx takes 8, 16)");
        assertBad("bf21010002000000", "insn 0 (code 0xbf): addr_space_cast(r2, 0, 2): the kernel casts only between address spaces 0 and 1");
        assertBad("bf21010001000100", "insn 0 (code 0xbf): addr_space_cast(r2, 1, 1): the kernel casts only between address spaces 0 and 1");
        assertBad("bf21010000000000", "insn 0 (code 0xbf): addr_space_cast(r2, 0, 0): the kernel casts only between address spaces 0 and 1");
        assertBad("c201000000000000", "insn 0 (code 0xc2): reserved field dst_reg is 1, must be 0");
        assertBad("c200000001000000", "insn 0 (code 0xc2): reserved field imm is 1, must be 0");
        assertBad("ca00000000000000", "insn 0 (code 0xca): undefined opcode for class st");
        assertBad("5911000000000000", "insn 0 (code 0x59): undefined opcode for class ldx");
        assertBad("d911000000000000", "insn 0 (code 0xd9): undefined opcode for class ldx");
        assertBad("e111000000000000", "insn 0 (code 0xe1): undefined opcode for class ldx");
        assertBad("2200000000000000", "insn 0 (code 0x22): undefined opcode for class st");
        assertBad("2311000000000000", "insn 0 (code 0x23): undefined opcode for class stx");
        assertBad("fb12000002000000", "insn 0 (code 0xfb): undefined atomic op imm 0x2");
        assertBad("f312000001000000", "insn 0 (code 0xf3): atomic fetch_add needs size W or DW");
        assertBad("4111f00400000001", "insn 0 (code 0x41): reserved field imm is 16777216, must be 0");
    }

    @Test
    void probeRecordsTakeOnlyTheFormsTheVerifierGivesThem() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Insn.Probe(ProbeMode.MEMSX, new Insn.Load(Size.W, R1, R1, 0)));
        assertEquals("the verifier gives no Load the internal mode MEMSX", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Insn.Probe(ProbeMode.ATOMIC, new Insn.Store(Size.W, R1, 0, R2)));
        assertThrows(IllegalArgumentException.class, () -> new Insn.Probe(ProbeMode.MEM, new Insn.Exit()));
        assertThrows(IllegalArgumentException.class, () -> new Insn.AddrSpaceCast(R1, R2, 2, 0));
        assertEquals(0x41, new Insn.Probe(ProbeMode.MEMSX, new Insn.LoadSx(Size.W, R1, R1, 0)).opcode());
    }

    private static void assertBad(String hex, String message) {
        byte[] b = HexFormat.of().parseHex(hex);
        var e = assertThrows(BpfFormatException.class, () -> Insn.decode(b), hex);
        assertEquals(message, e.getMessage());
    }
}
