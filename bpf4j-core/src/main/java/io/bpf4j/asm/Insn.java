package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * One BPF instruction, as the kernel's 8-byte little-endian {@code struct bpf_insn}
 * ({@code code:u8, dst_reg:4 | src_reg:4, off:s16, imm:s32}); {@link LdImm64} takes two slots.
 *
 * <p>Each record holds only the fields its form uses; the others encode as zero, and
 * {@link #decode(byte[])} rejects a form whose unused fields are not zero, as the verifier does.
 * Jump and call offsets count 8-byte slots relative to the next instruction, as in the kernel.
 * Record constructors throw {@link IllegalArgumentException} for values the encoding cannot hold
 * (an off outside s16, a size the form does not have); decoding throws only
 * {@link BpfFormatException}.
 *
 * <p>Covers the v4 ISA (Linux 6.6: signed div/mod, movsx, bswap, {@code gotol}, sign-extending
 * loads) and the later atomics {@code load_acquire}/{@code store_release}, {@code may_goto} and
 * {@code addr_space_cast}, so that anything clang emits for {@code -mcpu=v1..v4} decodes. It also
 * covers the kernel-internal forms the verifier writes into a loaded program and that reach user
 * space in {@code xlated_prog_insns}: {@link Zext}, {@link Nospec}, {@link MovPercpuAddr},
 * {@link Probe}, r11 ({@link Reg#AX}) and calls rewritten to addresses; the verifier refuses them
 * from user space, but {@link #decode(byte[])} accepts them so that any loaded program's
 * instructions decode.
 */
public sealed interface Insn {

    /** Bytes in one instruction slot. */
    int SLOT_SIZE = 8;

    /** The opcode byte of the (first) slot. */
    int opcode();

    /** Number of 8-byte slots: 2 for {@link LdImm64}, 1 for all others. */
    default int slots() {
        return 1;
    }

    /** Writes this instruction's {@link #slots()} slots into {@code dst} at byte offset {@code at}. */
    void encodeTo(byte[] dst, int at);

    /** This instruction's bytes, {@code 8 * slots()} of them. */
    default byte[] encode() {
        byte[] b = new byte[SLOT_SIZE * slots()];
        encodeTo(b, 0);
        return b;
    }

    /** The bytes of a program: each instruction's slots in order. */
    static byte[] encode(List<? extends Insn> insns) {
        int slots = 0;
        for (Insn i : insns) slots += i.slots();
        byte[] b = new byte[slots * SLOT_SIZE];
        int at = 0;
        for (Insn i : insns) {
            i.encodeTo(b, at);
            at += i.slots() * SLOT_SIZE;
        }
        return b;
    }

    /**
     * Writes a program's bytes at the start of {@code dst}, e.g. native memory handed to
     * {@code BPF_PROG_LOAD}, and returns the number of bytes written.
     *
     * @throws IllegalArgumentException when {@code dst} is too small
     */
    static long encode(List<? extends Insn> insns, MemorySegment dst) {
        byte[] b = encode(insns);
        if (dst.byteSize() < b.length)
            throw new IllegalArgumentException("segment of " + dst.byteSize() + " bytes cannot hold "
                    + b.length / SLOT_SIZE + " instruction slots (" + b.length + " bytes)");
        MemorySegment.copy(MemorySegment.ofArray(b), 0, dst, 0, b.length);
        return b.length;
    }

    /**
     * Decodes a program; the inverse of {@link #encode(List)}.
     *
     * @throws BpfFormatException when the length is not a multiple of 8, an {@code ld_imm64} is cut
     *     in half, or a slot holds an opcode or field the kernel does not define; the message names
     *     the slot index and opcode
     */
    static List<Insn> decode(byte[] bytes) {
        return Decoder.decode(bytes, 0, bytes.length);
    }

    /** Decodes the bytes of a segment, e.g. a program's xlated instructions; see {@link #decode(byte[])}. */
    static List<Insn> decode(MemorySegment bytes) {
        if (bytes.byteSize() > Integer.MAX_VALUE - 8)
            throw new BpfFormatException("instruction stream of " + bytes.byteSize() + " bytes is too large");
        return decode(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    // ---------------------------------------------------------------- ALU

    /** {@code dst op= imm} in 64-bit (ALU64) or 32-bit (ALU) width, e.g. {@code r0 = 2}, {@code w1 += 5}. */
    record AluImm(boolean alu64, AluOp op, Reg dst, int imm) implements Insn {
        public AluImm {
            Objects.requireNonNull(dst, "dst");
            if (!Objects.requireNonNull(op, "op").isBinary())
                throw new IllegalArgumentException(op + " is not a two-operand ALU op; use Neg/Endian/Bswap");
        }

        @Override
        public int opcode() {
            return (alu64 ? 0x07 : 0x04) | op.code() | Source.K.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, op.off(), imm);
        }
    }

    /** {@code dst op= src} in 64-bit (ALU64) or 32-bit (ALU) width, e.g. {@code r6 = r1}. */
    record AluReg(boolean alu64, AluOp op, Reg dst, Reg src) implements Insn {
        public AluReg {
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            if (!Objects.requireNonNull(op, "op").isBinary())
                throw new IllegalArgumentException(op + " is not a two-operand ALU op; use Neg/Endian/Bswap");
        }

        @Override
        public int opcode() {
            return (alu64 ? 0x07 : 0x04) | op.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), op.off(), 0);
        }
    }

    /** {@code dst = -dst}. */
    record Neg(boolean alu64, Reg dst) implements Insn {
        public Neg {
            Objects.requireNonNull(dst, "dst");
        }

        @Override
        public int opcode() {
            return (alu64 ? 0x07 : 0x04) | AluOp.NEG.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, 0, 0);
        }
    }

    /**
     * Sign-extending move {@code dst = (s8/s16/s32) src} (cpu v4, Linux 6.6): bits 8 or 16, and 32
     * in 64-bit width only. Encoded as MOV|X with off = bits.
     */
    record MovSx(boolean alu64, Reg dst, Reg src, int bits) implements Insn {
        public MovSx {
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            if (!(bits == 8 || bits == 16 || (bits == 32 && alu64)))
                throw new IllegalArgumentException("movsx" + (alu64 ? "64" : "32") + " cannot extend from "
                        + bits + " bits (8, 16" + (alu64 ? " or 32)" : ")"));
        }

        @Override
        public int opcode() {
            return (alu64 ? 0x07 : 0x04) | AluOp.MOV.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), bits, 0);
        }
    }

    /** Byte order conversion {@code dst = le16/be32... dst} of class ALU; bits 16, 32 or 64. */
    record Endian(boolean bigEndian, Reg dst, int bits) implements Insn {
        public Endian {
            Objects.requireNonNull(dst, "dst");
            Insns.requireSwapBits(bits);
        }

        @Override
        public int opcode() {
            return 0x04 | AluOp.END.code() | (bigEndian ? Source.X : Source.K).code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, 0, bits);
        }
    }

    /** Unconditional byte swap {@code dst = bswap16/32/64 dst} (ALU64|END, cpu v4, Linux 6.6). */
    record Bswap(Reg dst, int bits) implements Insn {
        public Bswap {
            Objects.requireNonNull(dst, "dst");
            Insns.requireSwapBits(bits);
        }

        @Override
        public int opcode() {
            return 0x07 | AluOp.END.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, 0, bits);
        }
    }

    /**
     * Arena pointer cast {@code dst = addr_space_cast(src, dstAddrSpace, srcAddrSpace)}
     * (ALU64|MOV|X with off 1, Linux 6.9, kernel commit 6082b6c328b5); imm holds
     * {@code dstAddrSpace << 16 | srcAddrSpace}. The verifier accepts only casts between address
     * spaces 1 (the arena) and 0 (the kernel), and rewrites {@code (0, 1)} into the 32-bit move
     * {@code wDst = wSrc}, so xlated dumps hold only {@code (1, 0)}.
     */
    record AddrSpaceCast(Reg dst, Reg src, int dstAddrSpace, int srcAddrSpace) implements Insn {
        public AddrSpaceCast {
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            if (!(dstAddrSpace == 0 && srcAddrSpace == 1 || dstAddrSpace == 1 && srcAddrSpace == 0))
                throw new IllegalArgumentException("addr_space_cast(" + dstAddrSpace + ", " + srcAddrSpace
                        + "): the kernel casts only between address spaces 0 and 1");
        }

        @Override
        public int opcode() {
            return 0x07 | AluOp.MOV.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), 1, dstAddrSpace << 16 | srcAddrSpace);
        }
    }

    /**
     * Kernel-internal {@code dst = &(void __percpu *)(src)} ({@code BPF_MOV64_PERCPU_REG}): src
     * plus this CPU's per-CPU offset (ALU64|MOV|X with off -1, {@code BPF_ADDR_PERCPU}). The
     * verifier emits it when it inlines {@code bpf_get_smp_processor_id()} and per-CPU map
     * lookups on JITs that support it (Linux 6.10, kernel commits 7bdbf7446305, 1ae6921009e5); it
     * appears in xlated dumps, never in programs loaded from user space.
     */
    record MovPercpuAddr(Reg dst, Reg src) implements Insn {
        public MovPercpuAddr {
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
        }

        @Override
        public int opcode() {
            return 0x07 | AluOp.MOV.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), -1, 0);
        }
    }

    /**
     * Kernel-internal zero extension {@code wDst = wDst} ({@code BPF_ZEXT_REG}: ALU|MOV|X with
     * src = dst and imm 1), which clears the upper half of dst. The verifier appends it to 32-bit
     * definitions whose upper half is read when the JIT asks for it (Linux 5.3, kernel commit
     * a4b1d3c1ddf6), after every 32-bit cmpxchg on all architectures (Linux 5.12, 39491867ace5),
     * and constant blinding emits it for r11. The imm 1 tells it from a program's own
     * {@code wDst = wSrc}, whose imm must be 0; it appears in xlated dumps only.
     */
    record Zext(Reg dst) implements Insn {
        public Zext {
            Objects.requireNonNull(dst, "dst");
        }

        @Override
        public int opcode() {
            return 0x04 | AluOp.MOV.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), dst.number(), 0, 1);
        }
    }

    // ---------------------------------------------------------------- loads and stores

    /**
     * The two-slot 64-bit immediate load {@code dst = imm}, whose {@link Pseudo} kind says what
     * the immediate is (a constant, a map fd, a map value address...). The low 32 bits go to the
     * first slot's imm, the high 32 bits to the second's; for {@link Pseudo#MAP_VALUE} the high
     * half is the offset into the value.
     */
    record LdImm64(Reg dst, Pseudo pseudo, long imm) implements Insn {
        public LdImm64 {
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(pseudo, "pseudo");
        }

        /** A plain 64-bit constant. */
        public LdImm64(Reg dst, long imm) {
            this(dst, Pseudo.NONE, imm);
        }

        /** The first slot's imm: the low half (a map fd or id, a BTF id, a subprog offset...). */
        public int lowImm() {
            return (int) imm;
        }

        /** The second slot's imm: the high half (the value offset of MAP_VALUE kinds). */
        public int highImm() {
            return (int) (imm >>> 32);
        }

        @Override
        public int opcode() {
            return 0x00 | Mode.IMM.code() | Size.DW.code();
        }

        @Override
        public int slots() {
            return 2;
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), pseudo.srcReg(), 0, lowImm());
            Slots.put(b, at + SLOT_SIZE, 0, 0, 0, 0, highImm());
        }
    }

    /** Legacy packet load {@code r0 = *(size *)skb[imm]} (socket filters); sizes B, H, W. */
    record LdAbs(Size size, int imm) implements Insn {
        public LdAbs {
            Insns.requireNotDw("ld_abs", size);
        }

        @Override
        public int opcode() {
            return 0x00 | Mode.ABS.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, 0, 0, imm);
        }
    }

    /** Legacy packet load {@code r0 = *(size *)skb[src + imm]}; sizes B, H, W. */
    record LdInd(Size size, Reg src, int imm) implements Insn {
        public LdInd {
            Insns.requireNotDw("ld_ind", size);
            Objects.requireNonNull(src, "src");
        }

        @Override
        public int opcode() {
            return 0x00 | Mode.IND.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, src.number(), 0, imm);
        }
    }

    /** {@code dst = *(size *)(src + off)}, zero-extending. */
    record Load(Size size, Reg dst, Reg src, int off) implements Insn {
        public Load {
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            Insns.requireS16("off", off);
        }

        @Override
        public int opcode() {
            return 0x01 | Mode.MEM.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), off, 0);
        }
    }

    /** Sign-extending {@code dst = *(s8/s16/s32 *)(src + off)} (cpu v4, Linux 6.6); sizes B, H, W. */
    record LoadSx(Size size, Reg dst, Reg src, int off) implements Insn {
        public LoadSx {
            Insns.requireNotDw("ldsx", size);
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            Insns.requireS16("off", off);
        }

        @Override
        public int opcode() {
            return 0x01 | Mode.MEMSX.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), off, 0);
        }
    }

    /** {@code *(size *)(dst + off) = src}. */
    record Store(Size size, Reg dst, int off, Reg src) implements Insn {
        public Store {
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            Insns.requireS16("off", off);
        }

        @Override
        public int opcode() {
            return 0x03 | Mode.MEM.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), off, 0);
        }
    }

    /** {@code *(size *)(dst + off) = imm}. */
    record StoreImm(Size size, Reg dst, int off, int imm) implements Insn {
        public StoreImm {
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(dst, "dst");
            Insns.requireS16("off", off);
        }

        @Override
        public int opcode() {
            return 0x02 | Mode.MEM.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, off, imm);
        }
    }

    /**
     * Kernel-internal speculation barrier {@code nospec} ({@code BPF_ST_NOSPEC}: ST with mode 0xc0
     * and all fields 0). The verifier inserts it after stack spills against Spectre v4 (Linux 5.14,
     * kernel commit f5e81d111750) and before or after instructions against Spectre v1 (2025, kernel
     * commit d6f1c85f2253), only in programs loaded without CAP_PERFMON; it appears in xlated dumps only.
     */
    record Nospec() implements Insn {
        @Override
        public int opcode() {
            return 0x02 | 0xc0;
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, 0, 0, 0);
        }
    }

    /**
     * An atomic operation on {@code *(size *)(dst + off)} with operand {@code src} (STX|ATOMIC).
     * Read-modify-write ops take sizes W and DW; {@link AtomicOp#LOAD_ACQ} loads into dst from
     * {@code *(src + off)} and {@link AtomicOp#STORE_REL} stores src, both in any size.
     */
    record Atomic(Size size, AtomicOp op, Reg dst, int off, Reg src) implements Insn {
        public Atomic {
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            Insns.requireS16("off", off);
            if (op.isReadModifyWrite() && size != Size.W && size != Size.DW)
                throw new IllegalArgumentException("atomic " + op + " needs size W or DW, not " + size);
        }

        @Override
        public int opcode() {
            return 0x03 | Mode.ATOMIC.code() | size.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), off, op.imm());
        }
    }

    /**
     * A load, store or atomic as written ({@link Load}, {@link LoadSx}, {@link Store},
     * {@link StoreImm} or {@link Atomic}) whose mode bits the verifier replaced by one of its
     * internal {@link ProbeMode}s, so that a fault on a BTF pointer or an arena address is caught;
     * e.g. {@code r1 = *(s32 *)(r1 +1264)} through an untrusted task pointer becomes code 0x41,
     * which bpftool prints as {@code BUG_ldx_41}. All fields but the mode are those of
     * {@code insn}; it appears in xlated dumps only.
     */
    record Probe(ProbeMode mode, Insn insn) implements Insn {
        public Probe {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(insn, "insn");
            if (!mode.appliesTo(insn))
                throw new IllegalArgumentException("the verifier gives no " + insn.getClass().getSimpleName()
                        + " the internal mode " + mode);
        }

        @Override
        public int opcode() {
            return (insn.opcode() & ~0xe0) | mode.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            insn.encodeTo(b, at);
            b[at] = (byte) opcode();
        }
    }

    // ---------------------------------------------------------------- jumps

    /** {@code goto pc+off} (JMP|JA). */
    record Ja(int off) implements Insn {
        public Ja {
            Insns.requireS16("jump offset", off);
        }

        @Override
        public int opcode() {
            return 0x05 | JmpOp.JA.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, 0, off, 0);
        }
    }

    /**
     * {@code gotol pc+imm}, the long unconditional jump (JMP32|JA, cpu v4, Linux 6.6, kernel commit
     * 4cd58e9af8b9). The verifier also writes it itself, to jump to a struct_ops epilogue (Linux
     * 6.13, 169c31761c8d).
     */
    record Gotol(int imm) implements Insn {
        @Override
        public int opcode() {
            return 0x06 | JmpOp.JA.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, 0, 0, imm);
        }
    }

    /** {@code if dst op imm goto pc+off}, comparing 64 bits (JMP) or the low 32 (JMP32). */
    record Jump(boolean jmp32, JmpOp op, Reg dst, int imm, int off) implements Insn {
        public Jump {
            Insns.requireConditional(op);
            Objects.requireNonNull(dst, "dst");
            Insns.requireS16("jump offset", off);
        }

        @Override
        public int opcode() {
            return (jmp32 ? 0x06 : 0x05) | op.code() | Source.K.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, off, imm);
        }
    }

    /** {@code if dst op src goto pc+off}, comparing 64 bits (JMP) or the low 32 (JMP32). */
    record JumpReg(boolean jmp32, JmpOp op, Reg dst, Reg src, int off) implements Insn {
        public JumpReg {
            Insns.requireConditional(op);
            Objects.requireNonNull(dst, "dst");
            Objects.requireNonNull(src, "src");
            Insns.requireS16("jump offset", off);
        }

        @Override
        public int opcode() {
            return (jmp32 ? 0x06 : 0x05) | op.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), src.number(), off, 0);
        }
    }

    /**
     * A call: a helper by id, a BPF-to-BPF call with imm relative to the next instruction, or a
     * kfunc by BTF id with off the fd_array index of its module's BTF. Helper calls have off 0. In
     * xlated dumps the kernel moves a BPF-to-BPF call's relative target to off and puts the
     * subprogram index (JIT) or an interpreter's address (no JIT, {@code BPF_CALL_ARGS}) in imm,
     * and replaces helper ids, and kfunc BTF ids unless the JIT makes far kfunc calls (s390), by
     * addresses relative to {@code __bpf_call_base}; a tail call, internally
     * {@code BPF_TAIL_CALL}, is dumped as the helper call {@code bpf_tail_call#12} again.
     */
    record Call(CallKind kind, int imm, int off) implements Insn {
        public Call {
            Objects.requireNonNull(kind, "kind");
            Insns.requireS16("off", off);
            if (off != 0 && kind == CallKind.HELPER)
                throw new IllegalArgumentException("helper calls have off 0, not " + off);
        }

        /** A call of a helper function. */
        public static Call helper(Helper helper) {
            return new Call(CallKind.HELPER, helper.id(), 0);
        }

        /** The helper this calls, or {@code null} for other kinds and unknown ids. */
        public Helper helper() {
            return kind == CallKind.HELPER ? Helper.byId(imm) : null;
        }

        @Override
        public int opcode() {
            return 0x05 | JmpOp.CALL.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, kind.srcReg(), off, imm);
        }
    }

    /** {@code exit}: return R0. */
    record Exit() implements Insn {
        @Override
        public int opcode() {
            return 0x05 | JmpOp.EXIT.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, 0, 0, 0);
        }
    }

    /** {@code may_goto pc+off}: a bounded-loop escape the verifier counts (JMP|JCOND, Linux 6.9). */
    record MayGoto(int off) implements Insn {
        public MayGoto {
            Insns.requireS16("jump offset", off);
        }

        @Override
        public int opcode() {
            return 0x05 | JmpOp.JCOND.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), 0, 0, off, 0);
        }
    }

    /** {@code gotox dst}: indirect jump through a register (JMP|JA|X), in the newest kernels only. */
    record Gotox(Reg dst) implements Insn {
        public Gotox {
            Objects.requireNonNull(dst, "dst");
        }

        @Override
        public int opcode() {
            return 0x05 | JmpOp.JA.code() | Source.X.code();
        }

        @Override
        public void encodeTo(byte[] b, int at) {
            Slots.put(b, at, opcode(), dst.number(), 0, 0, 0);
        }
    }
}
