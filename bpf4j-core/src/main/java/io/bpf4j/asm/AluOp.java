package io.bpf4j.asm;

/**
 * ALU operations ({@code BPF_OP(code)} of classes ALU and ALU64) with the operator bpftool prints.
 *
 * <p>{@link #SDIV} and {@link #SMOD} share the opcode bits of {@link #DIV} and {@link #MOD}; the
 * instruction's off field set to 1 makes them signed (cpu v4, Linux 6.6). {@link #NEG} and
 * {@link #END} have operands of their own and are encoded by {@link Insn.Neg}, {@link Insn.Endian}
 * and {@link Insn.Bswap}; the sign-extending move by {@link Insn.MovSx}.
 */
public enum AluOp {
    ADD(0x00, 0, "+="),
    SUB(0x10, 0, "-="),
    MUL(0x20, 0, "*="),
    DIV(0x30, 0, "/="),
    SDIV(0x30, 1, "s/="),
    OR(0x40, 0, "|="),
    AND(0x50, 0, "&="),
    LSH(0x60, 0, "<<="),
    RSH(0x70, 0, ">>="),
    NEG(0x80, 0, "neg"),
    MOD(0x90, 0, "%="),
    SMOD(0x90, 1, "s%="),
    XOR(0xa0, 0, "^="),
    MOV(0xb0, 0, "="),
    ARSH(0xc0, 0, "s>>="),
    END(0xd0, 0, "endian");

    private final int code;
    private final int off;
    private final String operator;

    AluOp(int code, int off, String operator) {
        this.code = code;
        this.off = off;
        this.operator = operator;
    }

    /** The op bits as they sit in the opcode. */
    public int code() {
        return code;
    }

    /** The off field that selects this op among those sharing {@link #code()}: 1 for signed div/mod. */
    public int off() {
        return off;
    }

    /** The C-like operator bpftool prints, e.g. {@code "+="}. */
    public String operator() {
        return operator;
    }

    /** True for the ops {@link Insn.AluImm}/{@link Insn.AluReg} can encode: all but NEG and END. */
    public boolean isBinary() {
        return this != NEG && this != END;
    }

    /**
     * The op for the opcode's op bits and the instruction's off field, or {@code null} when the
     * bits are undefined (0xe0, 0xf0). Off 1 selects SDIV/SMOD; any other off gives the plain op
     * (the decoder checks reserved fields separately).
     */
    public static AluOp of(int opcode, int off) {
        int bits = opcode & 0xf0;
        if (off == 1 && bits == DIV.code) return SDIV;
        if (off == 1 && bits == MOD.code) return SMOD;
        return BY_BITS[bits >>> 4];
    }

    /** The plain op (off 0) of each value of the op bits, without a values() copy per lookup. */
    private static final AluOp[] BY_BITS = new AluOp[16];
    static {
        for (AluOp op : values()) if (op.off == 0) BY_BITS[op.code >>> 4] = op;
    }
}
