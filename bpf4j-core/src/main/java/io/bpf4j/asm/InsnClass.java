package io.bpf4j.asm;

/** The instruction class, the low three bits of the opcode ({@code BPF_CLASS(code)}). */
public enum InsnClass {
    LD(0x00, "ld"),
    LDX(0x01, "ldx"),
    ST(0x02, "st"),
    STX(0x03, "stx"),
    ALU(0x04, "alu"),
    JMP(0x05, "jmp"),
    JMP32(0x06, "jmp32"),
    ALU64(0x07, "alu64");

    private static final InsnClass[] BY_CODE = values();

    private final int code;
    private final String mnemonic;

    InsnClass(int code, String mnemonic) {
        this.code = code;
        this.mnemonic = mnemonic;
    }

    /** The class bits, 0..7. */
    public int code() {
        return code;
    }

    /** The kernel's lower-case name ({@code bpf_class_string}). */
    public String mnemonic() {
        return mnemonic;
    }

    /** The class of any opcode byte; every value of the three bits is a class. */
    public static InsnClass of(int opcode) {
        return BY_CODE[opcode & 0x07];
    }
}
