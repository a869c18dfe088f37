package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

import static io.bpf4j.asm.Reg.R0;

/**
 * A small assembler for test programs, probes and hand-written BPF: each method appends one
 * instruction and returns this builder; jumps name labels, resolved by {@link #assemble()}.
 *
 * <pre>{@code
 * // XDP program returning XDP_PASS (2)
 * List<Insn> pass = new Asm().mov64(R0, 2).exit().assemble();
 *
 * // kprobe program that tail-calls slot 0 of a prog array and returns 0 if the slot is empty
 * byte[] code = new Asm()
 *         .ldMapFd(R2, progArrayFd)     // r2 = the prog array (two slots)
 *         .mov64(R3, 0)                 // r3 = index; r1 still holds the context
 *         .call(Helper.TAIL_CALL)
 *         .mov64(R0, 0)
 *         .exit()
 *         .bytes();
 *
 * // a loop with a label and a forward jump
 * new Asm().mov64(R0, 0)
 *          .label("loop").add64(R0, 1)
 *          .jeq(R0, 10, "out")
 *          .ja("loop")
 *          .label("out").exit();
 * }</pre>
 *
 * <p>Offsets are in 8-byte slots from the next instruction, as the kernel counts them; labels
 * account for the two slots of {@code ld_imm64}. Errors: a bad argument to one method (a size
 * the form does not have, a duplicate label, an off outside s16) throws
 * {@link IllegalArgumentException} at once; a program-level error found by {@link #assemble()}
 * (an undefined label, a label after the last instruction, a jump whose distance does not fit the
 * 16-bit off) throws {@link BpfFormatException}. Registers are the {@link Reg} enum, so a bad
 * register number can only come from {@link Reg#of(int)}, which throws
 * {@link IllegalArgumentException}, as does any method given the kernel-internal {@link Reg#AX}.
 */
public final class Asm {

    /** An appended instruction, or one waiting for its label's slot. */
    private record Item(int slot, Insn fixed, String label, boolean s16, IntFunction<Insn> make) {
    }

    private final List<Item> items = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private int slots;

    /**
     * Appends any instruction.
     *
     * @throws IllegalArgumentException when it uses {@link Reg#AX}, which only the kernel may
     */
    public Asm insn(Insn insn) {
        requireProgramRegisters(insn);
        items.add(new Item(slots, insn, null, false, null));
        slots += insn.slots();
        return this;
    }

    private Asm ref(String label, int size, boolean s16, IntFunction<Insn> make) {
        requireLabelName(label);
        requireProgramRegisters(make.apply(0));
        items.add(new Item(slots, null, label, s16, make));
        slots += size;
        return this;
    }

    private static void requireProgramRegisters(Insn insn) {
        byte[] b = Objects.requireNonNull(insn, "insn").encode();
        if ((b[1] & 0x0f) > 10 || (b[1] & 0xf0) >> 4 > 10)
            throw new IllegalArgumentException("bad register r11 in " + insn + ": programs use r0..r10, r11 is the kernel's AX");
    }

    private static void requireLabelName(String label) {
        if (Objects.requireNonNull(label, "label").isBlank()) throw new IllegalArgumentException("blank label");
    }

    /** Names the next instruction appended. */
    public Asm label(String name) {
        requireLabelName(name);
        Integer old = labels.putIfAbsent(name, slots);
        if (old != null) throw new IllegalArgumentException("label '" + name + "' already marks slot " + old);
        return this;
    }

    // ---------------------------------------------------------------- ALU

    /** {@code dst op= imm}, 64-bit. */
    public Asm alu64(AluOp op, Reg dst, int imm) {
        return insn(new Insn.AluImm(true, op, dst, imm));
    }

    /** {@code dst op= src}, 64-bit. */
    public Asm alu64(AluOp op, Reg dst, Reg src) {
        return insn(new Insn.AluReg(true, op, dst, src));
    }

    /** {@code wdst op= imm}, 32-bit (the upper half of dst becomes zero). */
    public Asm alu32(AluOp op, Reg dst, int imm) {
        return insn(new Insn.AluImm(false, op, dst, imm));
    }

    /** {@code wdst op= wsrc}, 32-bit. */
    public Asm alu32(AluOp op, Reg dst, Reg src) {
        return insn(new Insn.AluReg(false, op, dst, src));
    }

    public Asm mov64(Reg dst, int imm) {
        return alu64(AluOp.MOV, dst, imm);
    }

    public Asm mov64(Reg dst, Reg src) {
        return alu64(AluOp.MOV, dst, src);
    }

    public Asm mov32(Reg dst, int imm) {
        return alu32(AluOp.MOV, dst, imm);
    }

    public Asm mov32(Reg dst, Reg src) {
        return alu32(AluOp.MOV, dst, src);
    }

    public Asm add64(Reg dst, int imm) {
        return alu64(AluOp.ADD, dst, imm);
    }

    public Asm add64(Reg dst, Reg src) {
        return alu64(AluOp.ADD, dst, src);
    }

    public Asm sub64(Reg dst, int imm) {
        return alu64(AluOp.SUB, dst, imm);
    }

    public Asm sub64(Reg dst, Reg src) {
        return alu64(AluOp.SUB, dst, src);
    }

    public Asm and64(Reg dst, int imm) {
        return alu64(AluOp.AND, dst, imm);
    }

    public Asm lsh64(Reg dst, int imm) {
        return alu64(AluOp.LSH, dst, imm);
    }

    public Asm rsh64(Reg dst, int imm) {
        return alu64(AluOp.RSH, dst, imm);
    }

    /** {@code dst = -dst}, 64-bit. */
    public Asm neg64(Reg dst) {
        return insn(new Insn.Neg(true, dst));
    }

    /** {@code wdst = -wdst}, 32-bit. */
    public Asm neg32(Reg dst) {
        return insn(new Insn.Neg(false, dst));
    }

    /** {@code dst = (s8/s16/s32) src}, 64-bit (cpu v4). */
    public Asm movsx64(Reg dst, Reg src, int bits) {
        return insn(new Insn.MovSx(true, dst, src, bits));
    }

    /** {@code wdst = (s8/s16) wsrc}, 32-bit (cpu v4). */
    public Asm movsx32(Reg dst, Reg src, int bits) {
        return insn(new Insn.MovSx(false, dst, src, bits));
    }

    /** {@code dst = be16/32/64 dst}: host (little-endian) to big-endian. */
    public Asm toBe(Reg dst, int bits) {
        return insn(new Insn.Endian(true, dst, bits));
    }

    /** {@code dst = le16/32/64 dst}: truncation on little-endian hosts. */
    public Asm toLe(Reg dst, int bits) {
        return insn(new Insn.Endian(false, dst, bits));
    }

    /** {@code dst = bswap16/32/64 dst} (cpu v4). */
    public Asm bswap(Reg dst, int bits) {
        return insn(new Insn.Bswap(dst, bits));
    }

    // ---------------------------------------------------------------- 64-bit immediates

    /** {@code dst = imm} for any 64-bit constant (two slots). */
    public Asm ldImm64(Reg dst, long imm) {
        return insn(new Insn.LdImm64(dst, Pseudo.NONE, imm));
    }

    /** {@code dst = map} by file descriptor; the verifier turns it into the map's address (two slots). */
    public Asm ldMapFd(Reg dst, int mapFd) {
        return insn(new Insn.LdImm64(dst, Pseudo.MAP_FD, mapFd & 0xffffffffL));
    }

    /**
     * {@code dst = &value[0] + offset} of a single-element array map by fd (global data), two
     * slots.
     */
    public Asm ldMapValue(Reg dst, int mapFd, int offset) {
        return insn(new Insn.LdImm64(dst, Pseudo.MAP_VALUE, (mapFd & 0xffffffffL) | ((long) offset << 32)));
    }

    /** {@code dst = &subprog} at a label, for callbacks such as {@code bpf_loop} (two slots). */
    public Asm ldFunc(Reg dst, String label) {
        return ref(label, 2, false, rel -> new Insn.LdImm64(dst, Pseudo.FUNC, rel & 0xffffffffL));
    }

    // ---------------------------------------------------------------- memory

    /** {@code dst = *(size *)(src + off)}. */
    public Asm ldx(Size size, Reg dst, Reg src, int off) {
        return insn(new Insn.Load(size, dst, src, off));
    }

    /** {@code dst = *(s8/s16/s32 *)(src + off)}, sign-extending (cpu v4). */
    public Asm ldxsx(Size size, Reg dst, Reg src, int off) {
        return insn(new Insn.LoadSx(size, dst, src, off));
    }

    /** {@code *(size *)(dst + off) = src}. */
    public Asm stx(Size size, Reg dst, int off, Reg src) {
        return insn(new Insn.Store(size, dst, off, src));
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public Asm st(Size size, Reg dst, int off, int imm) {
        return insn(new Insn.StoreImm(size, dst, off, imm));
    }

    /** An atomic op on {@code *(size *)(dst + off)} with src; see {@link Insn.Atomic}. */
    public Asm atomic(Size size, AtomicOp op, Reg dst, int off, Reg src) {
        return insn(new Insn.Atomic(size, op, dst, off, src));
    }

    /** Legacy {@code r0 = *(size *)skb[imm]} (socket filters; clobbers r1..r5). */
    public Asm ldAbs(Size size, int imm) {
        return insn(new Insn.LdAbs(size, imm));
    }

    /** Legacy {@code r0 = *(size *)skb[src + imm]}. */
    public Asm ldInd(Size size, Reg src, int imm) {
        return insn(new Insn.LdInd(size, src, imm));
    }

    // ---------------------------------------------------------------- jumps

    /** {@code if dst op imm goto label}, 64-bit compare. */
    public Asm jmp(JmpOp op, Reg dst, int imm, String label) {
        Insns.requireConditional(op);
        return ref(label, 1, true, rel -> new Insn.Jump(false, op, dst, imm, rel));
    }

    /** {@code if dst op src goto label}, 64-bit compare. */
    public Asm jmp(JmpOp op, Reg dst, Reg src, String label) {
        Insns.requireConditional(op);
        return ref(label, 1, true, rel -> new Insn.JumpReg(false, op, dst, src, rel));
    }

    /** {@code if wdst op imm goto label}, 32-bit compare. */
    public Asm jmp32(JmpOp op, Reg dst, int imm, String label) {
        Insns.requireConditional(op);
        return ref(label, 1, true, rel -> new Insn.Jump(true, op, dst, imm, rel));
    }

    /** {@code if wdst op wsrc goto label}, 32-bit compare. */
    public Asm jmp32(JmpOp op, Reg dst, Reg src, String label) {
        Insns.requireConditional(op);
        return ref(label, 1, true, rel -> new Insn.JumpReg(true, op, dst, src, rel));
    }

    public Asm jeq(Reg dst, int imm, String label) {
        return jmp(JmpOp.JEQ, dst, imm, label);
    }

    public Asm jne(Reg dst, int imm, String label) {
        return jmp(JmpOp.JNE, dst, imm, label);
    }

    /** {@code goto label}. */
    public Asm ja(String label) {
        return ref(label, 1, true, Insn.Ja::new);
    }

    /** {@code gotol label}: unconditional jump with a 32-bit offset (cpu v4). */
    public Asm gotol(String label) {
        return ref(label, 1, false, Insn.Gotol::new);
    }

    /** {@code may_goto label} (Linux 6.9). */
    public Asm mayGoto(String label) {
        return ref(label, 1, true, Insn.MayGoto::new);
    }

    /** Calls a helper; arguments in r1..r5, result in r0. */
    public Asm call(Helper helper) {
        return insn(Insn.Call.helper(Objects.requireNonNull(helper, "helper")));
    }

    /** BPF-to-BPF call of the subprogram starting at a label. */
    public Asm callSubprog(String label) {
        return ref(label, 1, false, rel -> new Insn.Call(CallKind.SUBPROG, rel, 0));
    }

    /** Calls a vmlinux kfunc by BTF id. */
    public Asm callKfunc(int btfId) {
        return insn(new Insn.Call(CallKind.KFUNC, btfId, 0));
    }

    /** Calls a module kfunc by BTF id; {@code btfFdIndex} indexes the load's fd_array. */
    public Asm callKfunc(int btfId, int btfFdIndex) {
        return insn(new Insn.Call(CallKind.KFUNC, btfId, btfFdIndex));
    }

    /** {@code exit}: returns r0. */
    public Asm exit() {
        return insn(new Insn.Exit());
    }

    /** {@code r0 = imm; exit}. */
    public Asm ret(int imm) {
        return mov64(R0, imm).exit();
    }

    // ---------------------------------------------------------------- output

    /**
     * The program with labels resolved.
     *
     * @throws BpfFormatException for an undefined label, a label after the last instruction, or
     *     a jump whose distance does not fit its 16-bit offset
     */
    public List<Insn> assemble() {
        for (Map.Entry<String, Integer> l : labels.entrySet())
            if (l.getValue() >= slots)
                throw new BpfFormatException("label '" + l.getKey() + "' marks no instruction: it follows the last one");
        List<Insn> out = new ArrayList<>(items.size());
        for (Item it : items) {
            if (it.fixed != null) {
                out.add(it.fixed);
                continue;
            }
            Integer target = labels.get(it.label);
            if (target == null)
                throw new BpfFormatException("undefined label '" + it.label + "' used at slot " + it.slot);
            int rel = target - (it.slot + 1);
            if (it.s16 && (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE))
                throw new BpfFormatException("jump at slot " + it.slot + " to label '" + it.label + "' spans " + rel
                        + " slots, beyond the 16-bit off (-32768..32767); use gotol");
            out.add(it.make.apply(rel));
        }
        return out;
    }

    /** The assembled program's bytes, as {@code BPF_PROG_LOAD} takes them. */
    public byte[] bytes() {
        return Insn.encode(assemble());
    }

    /**
     * Writes the assembled program at the start of {@code dst} and returns the bytes written.
     *
     * @throws IllegalArgumentException when {@code dst} is too small
     */
    public long writeTo(MemorySegment dst) {
        return Insn.encode(assemble(), dst);
    }

    /** Instruction slots appended so far (ld_imm64 counts two). */
    public int slots() {
        return slots;
    }
}
