package io.bpf4j.asm;

/**
 * The eleven BPF registers. R0 holds return values, R1..R5 call arguments, R6..R9 survive calls,
 * R10 is the read-only frame pointer.
 */
public enum Reg {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    private static final Reg[] BY_NUMBER = values();

    /** The register number, 0..10, as encoded in dst_reg/src_reg. */
    public int number() {
        return ordinal();
    }

    /**
     * The register with this number.
     *
     * @throws IllegalArgumentException when {@code n} is not 0..10
     */
    public static Reg of(int n) {
        if (n < 0 || n >= BY_NUMBER.length)
            throw new IllegalArgumentException("bad register r" + n + ": BPF has r0..r10");
        return BY_NUMBER[n];
    }

    @Override
    public String toString() {
        return "r" + ordinal();
    }
}
