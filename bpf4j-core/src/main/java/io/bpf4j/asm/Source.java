package io.bpf4j.asm;

/**
 * Operand source of ALU and JMP instructions (bit 3): the immediate ({@code K}) or the source
 * register ({@code X}). For the ALU {@code END} op the same bit selects little ({@code K},
 * {@code BPF_TO_LE}) or big ({@code X}, {@code BPF_TO_BE}) endian.
 */
public enum Source {
    K(0x00),
    X(0x08);

    private final int code;

    Source(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Source of(int opcode) {
        return (opcode & 0x08) == 0 ? K : X;
    }
}
