package io.bpf4j.asm;

/**
 * What the src_reg of an {@code ld_imm64} says its 64-bit immediate is; the kernel's
 * {@code BPF_PSEUDO_*} values. The verifier replaces all of them by the pointer they name.
 */
public enum Pseudo {
    /** A plain 64-bit constant. */
    NONE(0),
    /** {@code BPF_PSEUDO_MAP_FD}: imm is a map fd (in xlated dumps: the map id). */
    MAP_FD(1),
    /** {@code BPF_PSEUDO_MAP_VALUE}: the address of the value of a single-element map at an offset. */
    MAP_VALUE(2),
    /** {@code BPF_PSEUDO_BTF_ID}: the address of a kernel variable by BTF id. */
    BTF_ID(3),
    /** {@code BPF_PSEUDO_FUNC}: the address of a subprogram at slot {@code index + imm + 1}, counted from the second slot. */
    FUNC(4),
    /** {@code BPF_PSEUDO_MAP_IDX}: like MAP_FD but an index into fd_array (Linux 5.14). */
    MAP_IDX(5),
    /** {@code BPF_PSEUDO_MAP_IDX_VALUE}: like MAP_VALUE with an fd_array index (Linux 5.14). */
    MAP_IDX_VALUE(6);

    private final int srcReg;

    Pseudo(int srcReg) {
        this.srcReg = srcReg;
    }

    /** The src_reg value. */
    public int srcReg() {
        return srcReg;
    }

    /** The kind for this src_reg, or {@code null}. */
    public static Pseudo of(int srcReg) {
        return srcReg >= 0 && srcReg < VALUES.length ? VALUES[srcReg] : null;
    }

    private static final Pseudo[] VALUES = values();
}
