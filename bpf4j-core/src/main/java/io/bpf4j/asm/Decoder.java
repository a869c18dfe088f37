package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns instruction bytes into {@link Insn} records, rejecting what the verifier would reject as
 * malformed (undefined opcodes, reserved fields not zero, registers above r11) unless the kernel
 * itself writes that form into a loaded program's xlated instructions ({@link Insn.Zext},
 * {@link Insn.Probe}, {@link Insn.Nospec}, {@link Insn.MovPercpuAddr}, r11). Semantic checks
 * (jump targets, register types) are the verifier's job, not this one's.
 */
final class Decoder {
    private final byte[] b;
    private final int base;
    private final int slots;

    private Decoder(byte[] b, int base, int slots) {
        this.b = b;
        this.base = base;
        this.slots = slots;
    }

    static List<Insn> decode(byte[] bytes, int from, int len) {
        if (len % Insn.SLOT_SIZE != 0)
            throw new BpfFormatException("instruction stream of " + len + " bytes is not a multiple of 8");
        Decoder d = new Decoder(bytes, from, len / Insn.SLOT_SIZE);
        List<Insn> out = new ArrayList<>(d.slots);
        for (int i = 0; i < d.slots; ) {
            Insn insn = d.one(i);
            out.add(insn);
            i += insn.slots();
        }
        return out;
    }

    private Insn one(int i) {
        int at = base + i * Insn.SLOT_SIZE;
        int raw = Slots.code(b, at);
        // A probe mode replaced the mode of the instruction as written: decode that one, then wrap it.
        ProbeMode probe = ProbeMode.of(raw);
        int code = probe == null ? raw : (raw & ~0xe0) | probe.plain().code();
        Fields f = new Fields(i, raw, code, Slots.dst(b, at), Slots.src(b, at), Slots.off(b, at), Slots.imm(b, at));
        Insn insn = switch (InsnClass.of(f.code)) {
            case ALU, ALU64 -> alu(f);
            case LD -> ld(f);
            case LDX -> ldx(f);
            case ST -> st(f);
            case STX -> stx(f);
            case JMP, JMP32 -> jmp(f);
        };
        return probe == null ? insn : new Insn.Probe(probe, insn);
    }

    /**
     * One slot's raw fields and where it sits, for the checks and their messages; {@code code} is
     * the opcode to decode, which differs from the slot's {@code raw} one only for probe modes.
     */
    private record Fields(int index, int raw, int code, int dst, int src, int off, int imm) {
        BpfFormatException bad(String why) {
            return new BpfFormatException(String.format("insn %d (code 0x%02x): %s", index, raw, why));
        }

        Reg dstReg() {
            return reg("dst_reg", dst);
        }

        Reg srcReg() {
            return reg("src_reg", src);
        }

        /** r11 is accepted: the verifier writes it (BPF_REG_AX) into xlated instructions. */
        private Reg reg(String field, int n) {
            Reg r = Reg.ofXlated(n);
            if (r == null) throw bad("bad " + field + " r" + n + " (BPF has r0..r10, and r11 in xlated code)");
            return r;
        }

        Fields zero(String field, int v) {
            if (v != 0) throw bad("reserved field " + field + " is " + v + ", must be 0");
            return this;
        }

        Fields noSrc() {
            return zero("src_reg", src);
        }

        Fields noDst() {
            return zero("dst_reg", dst);
        }

        Fields noOff() {
            return zero("off", off);
        }

        Fields noImm() {
            return zero("imm", imm);
        }
    }

    private Insn alu(Fields f) {
        boolean alu64 = InsnClass.of(f.code) == InsnClass.ALU64;
        boolean x = Source.of(f.code) == Source.X;
        int bits = f.code & 0xf0;
        if (bits == AluOp.NEG.code()) {
            if (x) throw f.bad("neg has no register source form");
            f.noSrc().noOff().noImm();
            return new Insn.Neg(alu64, f.dstReg());
        }
        if (bits == AluOp.END.code()) {
            if (alu64 && x) throw f.bad("undefined opcode: bswap has no register source form");
            f.noSrc().noOff();
            if (f.imm != 16 && f.imm != 32 && f.imm != 64)
                throw f.bad("byte swap of " + f.imm + " bits (16, 32 or 64)");
            return alu64 ? new Insn.Bswap(f.dstReg(), f.imm) : new Insn.Endian(x, f.dstReg(), f.imm);
        }
        if (bits == AluOp.MOV.code() && x && !alu64 && f.off == 0 && f.imm == 1) {
            // BPF_ZEXT_REG is always "wX = wX": other registers with imm 1 are no kernel form
            if (f.src != f.dst)
                throw f.bad("zero extension (mov32 with imm 1) of r" + f.dst + " from r" + f.src + ": src_reg must be dst_reg");
            return new Insn.Zext(f.dstReg());
        }
        if (bits == AluOp.MOV.code() && x && f.off != 0) {
            if (alu64 && f.off == 1) {
                // check_alu_op() refuses casts other than between address spaces 0 and 1
                if (f.imm != 1 && f.imm != 1 << 16)
                    throw f.bad("addr_space_cast(r" + f.src + ", " + (f.imm >>> 16) + ", " + (f.imm & 0xffff)
                            + "): the kernel casts only between address spaces 0 and 1");
                return new Insn.AddrSpaceCast(f.dstReg(), f.srcReg(), f.imm >>> 16, f.imm & 0xffff);
            }
            if (alu64 && f.off == -1) {
                f.noImm();
                return new Insn.MovPercpuAddr(f.dstReg(), f.srcReg());
            }
            f.noImm();
            if (f.off == 8 || f.off == 16 || (f.off == 32 && alu64))
                return new Insn.MovSx(alu64, f.dstReg(), f.srcReg(), f.off);
            throw f.bad("mov with off " + f.off + " (movsx takes 8, 16" + (alu64 ? ", 32)" : ")"));
        }
        AluOp op = AluOp.of(f.code, f.off);
        if (op == null) throw f.bad("undefined ALU op 0x" + Integer.toHexString(bits));
        if (f.off != op.off()) throw f.bad("reserved field off is " + f.off + ", must be 0");
        if (x) {
            f.noImm();
            return new Insn.AluReg(alu64, op, f.dstReg(), f.srcReg());
        }
        f.noSrc();
        return new Insn.AluImm(alu64, op, f.dstReg(), f.imm);
    }

    private Insn ld(Fields f) {
        Mode mode = Mode.of(f.code);
        Size size = Size.of(f.code);
        if (mode == Mode.IMM && size == Size.DW) {
            f.noOff();
            Pseudo pseudo = Pseudo.of(f.src);
            if (pseudo == null) throw f.bad("ld_imm64 with unknown src_reg " + f.src + " (pseudo kinds 0..6)");
            if (f.index + 1 >= slots) throw f.bad("ld_imm64 is cut off: its second slot is missing");
            int at2 = base + (f.index + 1) * Insn.SLOT_SIZE;
            if (Slots.code(b, at2) != 0 || (b[at2 + 1] & 0xff) != 0 || Slots.off(b, at2) != 0)
                throw f.bad("second slot of ld_imm64 must be zero but for imm");
            long imm = (f.imm & 0xffffffffL) | ((long) Slots.imm(b, at2) << 32);
            return new Insn.LdImm64(f.dstReg(), pseudo, imm);
        }
        if ((mode == Mode.ABS || mode == Mode.IND) && size != Size.DW) {
            f.noDst().noOff();
            if (mode == Mode.ABS) {
                f.noSrc();
                return new Insn.LdAbs(size, f.imm);
            }
            return new Insn.LdInd(size, f.srcReg(), f.imm);
        }
        throw f.bad("undefined opcode for class ld");
    }

    private Insn ldx(Fields f) {
        Mode mode = Mode.of(f.code);
        Size size = Size.of(f.code);
        if (mode == Mode.MEM) {
            f.noImm();
            return new Insn.Load(size, f.dstReg(), f.srcReg(), f.off);
        }
        if (mode == Mode.MEMSX && size != Size.DW) {
            f.noImm();
            return new Insn.LoadSx(size, f.dstReg(), f.srcReg(), f.off);
        }
        throw f.bad("undefined opcode for class ldx");
    }

    private Insn st(Fields f) {
        if (f.code == 0xc2) {
            f.noDst().noSrc().noOff().noImm();
            return new Insn.Nospec();
        }
        if (Mode.of(f.code) != Mode.MEM) throw f.bad("undefined opcode for class st");
        f.noSrc();
        return new Insn.StoreImm(Size.of(f.code), f.dstReg(), f.off, f.imm);
    }

    private Insn stx(Fields f) {
        Mode mode = Mode.of(f.code);
        Size size = Size.of(f.code);
        if (mode == Mode.MEM) {
            f.noImm();
            return new Insn.Store(size, f.dstReg(), f.off, f.srcReg());
        }
        if (mode == Mode.ATOMIC) {
            AtomicOp op = AtomicOp.of(f.imm);
            if (op == null) throw f.bad("undefined atomic op imm 0x" + Integer.toHexString(f.imm));
            if (op.isReadModifyWrite() && size != Size.W && size != Size.DW)
                throw f.bad("atomic " + op.name().toLowerCase(java.util.Locale.ROOT) + " needs size W or DW");
            return new Insn.Atomic(size, op, f.dstReg(), f.off, f.srcReg());
        }
        throw f.bad("undefined opcode for class stx");
    }

    private Insn jmp(Fields f) {
        boolean jmp32 = InsnClass.of(f.code) == InsnClass.JMP32;
        boolean x = Source.of(f.code) == Source.X;
        JmpOp op = JmpOp.of(f.code);
        if (op == null) throw f.bad("undefined jump op 0xf0");
        if (!op.isConditional() && jmp32 && op != JmpOp.JA)
            throw f.bad("undefined opcode: " + op.name().toLowerCase(java.util.Locale.ROOT) + " in class jmp32");
        switch (op) {
            case JA -> {
                if (jmp32) {
                    if (x) throw f.bad("undefined opcode: gotol has no register form");
                    f.noDst().noSrc().noOff();
                    return new Insn.Gotol(f.imm);
                }
                if (x) {
                    f.noSrc().noOff().noImm();
                    return new Insn.Gotox(f.dstReg());
                }
                f.noDst().noSrc().noImm();
                return new Insn.Ja(f.off);
            }
            case CALL -> {
                if (x) throw f.bad("undefined opcode: call has no register form");
                f.noDst();
                CallKind kind = CallKind.of(f.src);
                if (kind == null) throw f.bad("call with unknown src_reg " + f.src + " (0 helper, 1 subprog, 2 kfunc)");
                if (kind == CallKind.HELPER) f.noOff();
                return new Insn.Call(kind, f.imm, f.off);
            }
            case EXIT -> {
                if (x) throw f.bad("undefined opcode: exit has no register form");
                f.noDst().noSrc().noOff().noImm();
                return new Insn.Exit();
            }
            case JCOND -> {
                if (x) throw f.bad("undefined opcode: jcond has no register form");
                if (f.src != 0) throw f.bad("jcond with unknown src_reg " + f.src + " (0 is may_goto)");
                f.noDst().noImm();
                return new Insn.MayGoto(f.off);
            }
            default -> {
                if (x) {
                    f.noImm();
                    return new Insn.JumpReg(jmp32, op, f.dstReg(), f.srcReg(), f.off);
                }
                f.noSrc();
                return new Insn.Jump(jmp32, op, f.dstReg(), f.imm, f.off);
            }
        }
    }
}
