package io.bpf4j.asm;

/** What a {@code call} instruction's src_reg says its imm names. */
public enum CallKind {
    /** src_reg 0: imm is a {@link Helper} id (in xlated dumps: the helper's address minus {@code __bpf_call_base}). */
    HELPER(0),
    /** {@code BPF_PSEUDO_CALL}: a BPF-to-BPF call, imm is the target relative to the next instruction. */
    SUBPROG(1),
    /** {@code BPF_PSEUDO_KFUNC_CALL}: imm is the kfunc's BTF id, off the fd_array index of its module BTF (0 = vmlinux). */
    KFUNC(2);

    private final int srcReg;

    CallKind(int srcReg) {
        this.srcReg = srcReg;
    }

    /** The src_reg value. */
    public int srcReg() {
        return srcReg;
    }

    /** The kind for this src_reg, or {@code null}. */
    public static CallKind of(int srcReg) {
        return srcReg >= 0 && srcReg < VALUES.length ? VALUES[srcReg] : null;
    }

    private static final CallKind[] VALUES = values();
}
