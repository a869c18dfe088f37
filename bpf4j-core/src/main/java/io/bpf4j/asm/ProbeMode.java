package io.bpf4j.asm;

/**
 * The kernel-internal addressing modes the verifier gives a load, store or atomic that may fault,
 * so that the JIT wraps it in an exception-table entry ({@code BPF_PROBE_*} in
 * {@code include/linux/filter.h}). They reuse mode bits that the class does not define and are
 * never accepted from user space; {@link Insn.Probe} carries one with the instruction as written.
 *
 * <p>{@code bpf_insn_prepare_dump()} turns {@link #MEM} (since 5.8, kernel commit 29fcb05bbf1a)
 * and {@link #MEM32} back into plain {@code BPF_MEM} in {@code xlated_prog_insns}, but not the
 * other three (its list in 6.12; a 6.18 kernel dumps {@link #MEMSX} as is), so their opcodes reach
 * user space and bpftool prints them as {@code BUG_ldx_41}, {@code BUG_e3} and the like.
 */
public enum ProbeMode {
    /** {@code BPF_PROBE_MEM}: a load through a BTF pointer (LDX, Linux 5.5, 2a02759ef5f8). */
    MEM(0x20, Mode.MEM),
    /** {@code BPF_PROBE_MEMSX}: a sign-extending load through a BTF pointer (LDX, Linux 6.6, 1f9a1ea821ff). */
    MEMSX(0x40, Mode.MEMSX),
    /** {@code BPF_PROBE_MEM32}: a load or store into a BPF arena (LDX, ST, STX, Linux 6.9, 6082b6c328b5). */
    MEM32(0xa0, Mode.MEM),
    /** {@code BPF_PROBE_MEM32SX}: a sign-extending load from a BPF arena (LDX, 2025, a91ae3c89311). */
    MEM32SX(0xc0, Mode.MEMSX),
    /** {@code BPF_PROBE_ATOMIC}: an atomic on a BPF arena (STX, Linux 6.10, d503a04f8bc0). */
    ATOMIC(0xe0, Mode.ATOMIC);

    private final int code;
    private final Mode plain;

    ProbeMode(int code, Mode plain) {
        this.code = code;
        this.plain = plain;
    }

    /** The mode bits as they sit in the opcode. */
    public int code() {
        return code;
    }

    /** The user-visible mode the verifier replaced: MEM, MEMSX or ATOMIC. */
    public Mode plain() {
        return plain;
    }

    /** True when the kernel gives this mode to {@code insn}: the classes and forms listed above. */
    public boolean appliesTo(Insn insn) {
        return switch (this) {
            case MEM -> insn instanceof Insn.Load;
            case MEMSX, MEM32SX -> insn instanceof Insn.LoadSx;
            case MEM32 -> insn instanceof Insn.Load || insn instanceof Insn.Store || insn instanceof Insn.StoreImm;
            case ATOMIC -> insn instanceof Insn.Atomic;
        };
    }

    /** The probe mode of an opcode, or {@code null} when its mode bits are not one for its class. */
    static ProbeMode of(int opcode) {
        int mode = opcode & 0xe0;
        return switch (InsnClass.of(opcode)) {
            case LDX -> switch (mode) {
                case 0x20 -> MEM;
                case 0x40 -> MEMSX;
                case 0xa0 -> MEM32;
                case 0xc0 -> MEM32SX;
                default -> null;
            };
            case ST -> mode == 0xa0 ? MEM32 : null;
            case STX -> mode == 0xa0 ? MEM32 : mode == 0xe0 ? ATOMIC : null;
            default -> null;
        };
    }
}
