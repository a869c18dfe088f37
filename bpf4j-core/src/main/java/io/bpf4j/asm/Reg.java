package io.bpf4j.asm;

/**
 * The eleven BPF registers. R0 holds return values, R1..R5 call arguments, R6..R9 survive calls,
 * R10 is the read-only frame pointer. {@link #AX} (r11) is the kernel's auxiliary register, which
 * only the verifier writes (constant blinding, signed division and other rewrites): it appears in
 * xlated dumps, and {@link Asm} refuses it.
 */
public enum Reg {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10,
    /** {@code BPF_REG_AX}, r11: kernel-internal. */
    AX;

    private static final Reg[] BY_NUMBER = values();

    /** The register number, 0..11, as encoded in dst_reg/src_reg. */
    public int number() {
        return ordinal();
    }

    /**
     * The program register with this number.
     *
     * @throws IllegalArgumentException when {@code n} is not 0..10
     */
    public static Reg of(int n) {
        if (n < 0 || n > 10)
            throw new IllegalArgumentException("bad register r" + n + ": BPF has r0..r10");
        return BY_NUMBER[n];
    }

    /** The register with this number including {@link #AX}, or {@code null} for 12..15. */
    static Reg ofXlated(int n) {
        return n >= 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : null;
    }

    @Override
    public String toString() {
        return "r" + ordinal();
    }
}
