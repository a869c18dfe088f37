package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Prints instructions as the kernel's disassembler does, so that our output matches
 * {@code bpftool prog dump xlated} line for line:
 *
 * <pre>
 *    0: (bf) r6 = r1
 *    1: (18) r1 = map[id:26]
 *    3: (85) call bpf_tail_call#12
 *    4: (95) exit
 * </pre>
 *
 * <p>It works on the raw slots, not on decoded {@link Insn}s, because xlated dumps hold what the
 * verifier made of a program (helper calls rewritten to addresses, internal opcodes such as
 * {@code nospec}) and a dump must show those too; a slot no form matches prints as the kernel's
 * {@code BUG_...} line, and so do the internal {@link ProbeMode}s, which bpftool does not know
 * either ({@code BUG_ldx_41}). It throws only {@link BpfFormatException}, for a length that is not a
 * multiple of 8 or a final {@code ld_imm64} without its second slot.
 *
 * <p>BTF source lines and function signatures, which bpftool interleaves when the program has
 * line info, are not instructions and are not printed here.
 */
public final class Disassembler {

    /**
     * What the bytes alone do not say, as bpftool gets it from {@code /proc/kallsyms} and
     * {@code bpf_prog_info}. Every method has a default that prints what bpftool prints when it
     * lacks that knowledge; {@link #NONE} uses all defaults.
     */
    public interface Symbols {
        /** No kallsyms, not JITed, map ids printed as bpftool does. */
        Symbols NONE = new Symbols() {
        };

        /**
         * The address of {@code __bpf_call_base}: the verifier rewrites a helper or kfunc call's
         * imm to the target's address minus it. 0 when unknown (bpftool then prints the bare imm as
         * an address).
         */
        default long callBase() {
            return 0;
        }

        /** The kernel symbol at exactly this address, or {@code null}. */
        default String symbolAt(long address) {
            return null;
        }

        /**
         * The addresses of the program's JITed functions by subprogram index
         * ({@code bpf_prog_info.jited_ksyms}); empty when the program runs in the interpreter.
         */
        default long[] jitedKsyms() {
            return new long[0];
        }

        /**
         * The text for an {@code ld_imm64} operand, or {@code null} for the default
         * ({@code map[id:5]}, {@code map[id:5][0]+16}, {@code subprog[+4]}, {@code 0x2a}).
         *
         * @param srcReg the pseudo kind, see {@link Pseudo}
         * @param imm the first slot's imm (a map id in xlated dumps)
         * @param nextImm the second slot's imm (the value offset for map values)
         */
        default String imm64(int srcReg, int imm, int nextImm) {
            return null;
        }

        /**
         * Symbols backed by a kallsyms lookup, as bpftool uses them.
         *
         * @param callBase address of {@code __bpf_call_base}
         * @param symbolAt exact-address symbol lookup returning {@code null} when none
         * @param jitedKsyms {@code bpf_prog_info.jited_ksyms}, empty when not JITed
         */
        static Symbols kallsyms(long callBase, LongFunction<String> symbolAt, long[] jitedKsyms) {
            Objects.requireNonNull(symbolAt, "symbolAt");
            long[] ksyms = jitedKsyms.clone();
            return new Symbols() {
                @Override
                public long callBase() {
                    return callBase;
                }

                @Override
                public String symbolAt(long address) {
                    return symbolAt.apply(address);
                }

                @Override
                public long[] jitedKsyms() {
                    return ksyms;
                }
            };
        }
    }

    private static final String[] ALU_OPS = {
        "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", null, null};
    private static final String[] JMP_OPS = {
        "jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", null, null};
    private static final String[] LDST = {"u32", "u16", "u8", "u64"};
    private static final String[] LDSX = {"s32", "s16", "s8", null};

    private final Symbols symbols;
    private final boolean xlated;

    private Disassembler(Symbols symbols, boolean xlated) {
        this.symbols = Objects.requireNonNull(symbols, "symbols");
        this.xlated = xlated;
    }

    /**
     * For a loaded program's xlated instructions ({@code BPF_OBJ_GET_INFO_BY_FD}'s
     * {@code xlated_prog_insns}), printed exactly as {@code bpftool prog dump xlated}: a
     * subprogram call's offset is in off, rewritten helper calls are named by kallsyms.
     */
    public static Disassembler xlated(Symbols symbols) {
        return new Disassembler(symbols, true);
    }

    /**
     * For instructions as a program is written or loaded (an ELF section, {@link Asm} output):
     * helpers named by id, subprogram calls as {@code call pc+imm}, kfuncs as
     * {@code call kernel-function#<btf id>}, as the verifier log prints them; map references as
     * {@code map[fd:3]}, {@code map[fd:3][0]+8}, {@code map[idx:0]} unless {@code symbols} says
     * otherwise.
     */
    public static Disassembler original(Symbols symbols) {
        return new Disassembler(symbols, false);
    }

    /**
     * All instructions with bpftool's index column, {@code "% 4d: "}, one line per instruction
     * (an {@code ld_imm64} is one line and its index skips its second slot).
     */
    public List<String> lines(byte[] bytes) {
        checkLength(bytes);
        int n = bytes.length / Insn.SLOT_SIZE;
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(index(i) + insn(bytes, i));
            if (isLdImm64(bytes, i)) i++;
        }
        return out;
    }

    /** The instructions of a program as {@link #lines(byte[])} prints them. */
    public List<String> lines(List<? extends Insn> insns) {
        return lines(Insn.encode(insns));
    }

    /** {@link #lines(byte[])} joined, each line ending in a newline, as bpftool prints a dump. */
    public String dump(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines(bytes)) sb.append(l).append('\n');
        return sb.toString();
    }

    /**
     * One instruction without the index column, as bpftool's JSON {@code "disasm"} field:
     * {@code "(b7) r0 = 2"}.
     *
     * @param slot index of the instruction's (first) slot
     */
    public String insn(byte[] bytes, int slot) {
        checkLength(bytes);
        if (slot < 0 || slot >= bytes.length / Insn.SLOT_SIZE)
            throw new BpfFormatException("no instruction slot " + slot + " in " + bytes.length / Insn.SLOT_SIZE);
        if (isLdImm64(bytes, slot) && slot + 1 >= bytes.length / Insn.SLOT_SIZE)
            throw new BpfFormatException("insn " + slot + " (code 0x18): ld_imm64 is cut off: its second slot is missing");
        return format(bytes, slot * Insn.SLOT_SIZE);
    }

    private static void checkLength(byte[] bytes) {
        if (bytes.length % Insn.SLOT_SIZE != 0)
            throw new BpfFormatException("instruction stream of " + bytes.length + " bytes is not a multiple of 8");
    }

    private static boolean isLdImm64(byte[] b, int slot) {
        return Slots.code(b, slot * Insn.SLOT_SIZE) == 0x18;
    }

    private String format(byte[] b, int at) {
        int code = Slots.code(b, at);
        int dst = Slots.dst(b, at);
        int src = Slots.src(b, at);
        int off = Slots.off(b, at);
        int imm = Slots.imm(b, at);
        String c = "(" + hex2(code) + ") ";
        int op = (code & 0xf0) >> 4;
        boolean x = (code & 0x08) != 0;
        int size = (code & 0x18) >> 3;
        int mode = code & 0xe0;
        return switch (InsnClass.of(code)) {
            case ALU, ALU64 -> {
                boolean is64 = InsnClass.of(code) == InsnClass.ALU64;
                char w = is64 ? 'r' : 'w';
                if (op == 0xd) {
                    yield is64 ? c + "r" + dst + " = bswap" + imm + " r" + dst
                            : c + "r" + dst + " = " + (x ? "be" : "le") + imm + " r" + dst;
                }
                if (op == 0x8) yield c + w + dst + " = -" + w + dst;
                if (code == 0xbf && off == 1)
                    yield c + "r" + dst + " = addr_space_cast(r" + src + ", " + (imm >>> 16) + ", " + (imm & 0xffff) + ")";
                if (code == 0xbf && off == -1) yield c + "r" + dst + " = &(void __percpu *)(r" + src + ")";
                String operator = (op == 0x3 || op == 0x9) && off == 1 ? (op == 0x3 ? "s/=" : "s%=") : str(ALU_OPS[op]);
                if (x) {
                    String movsx = op == 0xb && (off == 8 || off == 16 || off == 32)
                            ? (off == 8 ? "(s8)" : off == 16 ? "(s16)" : "(s32)") : "";
                    yield c + w + dst + " " + operator + " " + movsx + w + src;
                }
                yield c + w + dst + " " + operator + " " + imm;
            }
            case STX -> {
                if (mode == 0x60) yield c + "*(" + LDST[size] + " *)(r" + dst + " " + signed(off) + ") = r" + src;
                if (mode != 0xc0) yield "BUG_" + hex2(code);
                String mem = "(" + LDST[size] + " *)(r" + dst + " " + signed(off) + ")";
                String bits = size == 3 ? "64" : "";
                yield switch (imm) {
                    case 0x00, 0x40, 0x50, 0xa0 -> c + "lock *" + mem + " " + ALU_OPS[imm >> 4] + " r" + src;
                    case 0x01, 0x41, 0x51, 0xa1 -> c + "r" + src + " = atomic" + bits + "_fetch_"
                            + AtomicOp.of(imm).mnemonic() + "(" + mem + ", r" + src + ")";
                    case 0xf1 -> c + "r0 = atomic" + bits + "_cmpxchg(" + mem + ", r0, r" + src + ")";
                    case 0xe1 -> c + "r" + src + " = atomic" + bits + "_xchg(" + mem + ", r" + src + ")";
                    case 0x100 -> c + "r" + dst + " = load_acquire((" + LDST[size] + " *)(r" + src + " " + signed(off) + "))";
                    case 0x110 -> c + "store_release(" + mem + ", r" + src + ")";
                    default -> "BUG_" + hex2(code);
                };
            }
            case ST -> {
                if (mode == 0x60) yield c + "*(" + LDST[size] + " *)(r" + dst + " " + signed(off) + ") = " + imm;
                if (mode == 0xc0) yield c + "nospec";
                yield "BUG_st_" + hex2(code);
            }
            case LDX -> {
                if (mode != 0x60 && mode != 0x80) yield "BUG_ldx_" + hex2(code);
                String type = mode == 0x60 ? LDST[size] : str(LDSX[size]);
                yield c + "r" + dst + " = *(" + type + " *)(r" + src + " " + signed(off) + ")";
            }
            case LD -> {
                if (mode == 0x20) yield c + "r0 = *(" + LDST[size] + " *)skb[" + imm + "]";
                if (mode == 0x40) yield c + "r0 = *(" + LDST[size] + " *)skb[r" + src + " + " + imm + "]";
                if (mode == 0x00 && size == 3) {
                    int next = Slots.imm(b, at + Insn.SLOT_SIZE);
                    yield c + "r" + dst + " = " + imm64(src, imm, next);
                }
                yield "BUG_ld_" + hex2(code);
            }
            case JMP, JMP32 -> {
                char w = InsnClass.of(code) == InsnClass.JMP32 ? 'w' : 'r';
                if (op == 0x8) {
                    yield src == CallKind.SUBPROG.srcReg() ? c + "call pc" + callName(src, imm, off)
                            : c + "call " + callName(src, imm, off) + "#" + imm;
                }
                if (code == 0x05) yield c + "goto pc" + signed(off);
                if (code == 0x0d) yield c + "gotox r" + dst;
                if (code == 0xe5 && src == 0) yield c + "may_goto pc" + signed(off);
                if (code == 0x06) yield c + "gotol pc" + signed(imm);
                if (code == 0x95) yield c + "exit";
                if (x) yield c + "if " + w + dst + " " + str(JMP_OPS[op]) + " " + w + src + " goto pc" + signed(off);
                yield c + "if " + w + dst + " " + str(JMP_OPS[op]) + " 0x" + Integer.toHexString(imm) + " goto pc" + signed(off);
            }
        };
    }

    private static String hex2(int code) {
        return code < 0x10 ? "0" + Integer.toHexString(code) : Integer.toHexString(code);
    }

    /** bpftool's {@code printf("% 4d: ", i)}: a sign space, then right-aligned in at least four columns. */
    private static String index(int i) {
        String n = " " + i;
        return (n.length() < 4 ? "    ".substring(n.length()) + n : n) + ": ";
    }

    /** What the kernel's C printf shows for a NULL string, e.g. for the undefined ALU op 0xe0. */
    private static String str(String s) {
        return s == null ? "(null)" : s;
    }

    private static String signed(int v) {
        return v >= 0 ? "+" + v : Integer.toString(v);
    }

    private String imm64(int src, int imm, int next) {
        String custom = symbols.imm64(src, imm, next);
        if (custom != null) return custom;
        String u = Integer.toUnsignedString(imm);
        String nextU = Integer.toUnsignedString(next);
        if (xlated) {
            // bpftool's print_imm(), whose "%d"s print both halves signed
            if (src == Pseudo.MAP_FD.srcReg()) return "map[id:" + imm + "]";
            if (src == Pseudo.MAP_VALUE.srcReg()) return "map[id:" + imm + "][0]+" + next;
            if (src == Pseudo.MAP_IDX_VALUE.srcReg()) return "map[idx:" + imm + "]+" + next;
        } else {
            if (src == Pseudo.MAP_FD.srcReg()) return "map[fd:" + imm + "]";
            if (src == Pseudo.MAP_VALUE.srcReg()) return "map[fd:" + imm + "][0]+" + nextU;
            if (src == Pseudo.MAP_IDX.srcReg()) return "map[idx:" + u + "]";
            if (src == Pseudo.MAP_IDX_VALUE.srcReg()) return "map[idx:" + u + "][0]+" + nextU;
            if (src == Pseudo.BTF_ID.srcReg()) return "btf_id[" + imm + "]";
        }
        if (src == Pseudo.FUNC.srcReg()) return "subprog[" + signed(imm) + "]";
        long full = (imm & 0xffffffffL) | ((long) next << 32);
        return "0x" + Long.toHexString(full);
    }

    /** The call target as the kernel's {@code __func_get_name} with bpftool's callback finds it. */
    private String callName(int src, int imm, int off) {
        if (src == CallKind.HELPER.srcReg()) {
            Helper h = Helper.byId(imm);
            if (h != null) return h.kernelName();
        }
        if (!xlated) {
            if (src == CallKind.SUBPROG.srcReg()) return signed(imm);
            if (src == CallKind.KFUNC.srcReg()) return "kernel-function";
            return "unknown";
        }
        long[] ksyms = symbols.jitedKsyms();
        long address = symbols.callBase() + imm;
        if (src == CallKind.SUBPROG.srcReg() && imm >= 0 && imm < ksyms.length) address = ksyms[imm];
        String sym = symbols.symbolAt(address);
        if (src == CallKind.SUBPROG.srcReg()) {
            if (ksyms.length == 0) return signed(off);
            return signed(off) + "#" + (sym != null ? sym : "0x" + Long.toHexString(address));
        }
        return sym != null ? sym : "0x" + Long.toHexString(address);
    }
}
