package io.bpf4j.asm;

/** Jump operations ({@code BPF_OP(code)} of classes JMP and JMP32) with the comparison bpftool prints. */
public enum JmpOp {
    JA(0x00, "jmp"),
    JEQ(0x10, "=="),
    JGT(0x20, ">"),
    JGE(0x30, ">="),
    JSET(0x40, "&"),
    JNE(0x50, "!="),
    JSGT(0x60, "s>"),
    JSGE(0x70, "s>="),
    CALL(0x80, "call"),
    EXIT(0x90, "exit"),
    JLT(0xa0, "<"),
    JLE(0xb0, "<="),
    JSLT(0xc0, "s<"),
    JSLE(0xd0, "s<="),
    /** Conditional pseudo jump; with src_reg 0 it is {@code may_goto} (Linux 6.9). */
    JCOND(0xe0, "jcond");

    private final int code;
    private final String operator;

    JmpOp(int code, String operator) {
        this.code = code;
        this.operator = operator;
    }

    /** The op bits as they sit in the opcode. */
    public int code() {
        return code;
    }

    /** The comparison bpftool prints, e.g. {@code "=="}. */
    public String operator() {
        return operator;
    }

    /** True for the ops that compare two operands: all but JA, CALL, EXIT and JCOND. */
    public boolean isConditional() {
        return this != JA && this != CALL && this != EXIT && this != JCOND;
    }

    /** The op of an opcode, or {@code null} for 0xf0, which the uapi does not define. */
    public static JmpOp of(int opcode) {
        return BY_BITS[(opcode & 0xf0) >>> 4];
    }

    /** The op of each value of the op bits, without a values() copy per lookup. */
    private static final JmpOp[] BY_BITS = new JmpOp[16];
    static {
        for (JmpOp op : values()) BY_BITS[op.code >>> 4] = op;
    }
}
