package io.bpf4j.asm;

/** Addressing mode of LD/LDX/ST/STX instructions ({@code BPF_MODE(code)}, bits 5..7). */
public enum Mode {
    /** 64-bit immediate load, the two-slot {@code ld_imm64} (with size DW). */
    IMM(0x00),
    /** Legacy packet load at a constant offset (socket filters). */
    ABS(0x20),
    /** Legacy packet load at register plus constant. */
    IND(0x40),
    MEM(0x60),
    /** Sign-extending load. Requires at least Linux 6.6 (cpu v4). */
    MEMSX(0x80),
    ATOMIC(0xc0);

    private final int code;

    Mode(int code) {
        this.code = code;
    }

    /** The mode bits as they sit in the opcode. */
    public int code() {
        return code;
    }

    /** The mode of an opcode, or {@code null} for 0xa0 and 0xe0, which the uapi does not define. */
    public static Mode of(int opcode) {
        return BY_BITS[(opcode & 0xe0) >>> 5];
    }

    /** The mode of each value of the mode bits, without a values() copy per lookup. */
    private static final Mode[] BY_BITS = new Mode[8];
    static {
        for (Mode m : values()) BY_BITS[m.code >>> 5] = m;
    }
}
