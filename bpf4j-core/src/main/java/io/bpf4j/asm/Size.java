package io.bpf4j.asm;

/** Memory access width of loads and stores ({@code BPF_SIZE(code)}, bits 3..4). */
public enum Size {
    W(0x00, 4),
    H(0x08, 2),
    B(0x10, 1),
    DW(0x18, 8);

    private final int code;
    private final int bytes;

    Size(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The size bits as they sit in the opcode. */
    public int code() {
        return code;
    }

    /** Width in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The unsigned C type bpftool prints, {@code u8}..{@code u64}. */
    public String unsignedType() {
        return "u" + bytes * 8;
    }

    /** The signed C type bpftool prints for sign-extending loads, {@code s8}..{@code s64}. */
    public String signedType() {
        return "s" + bytes * 8;
    }

    /** The size of an opcode; every value of the two bits is a size. */
    public static Size of(int opcode) {
        return switch (opcode & 0x18) {
            case 0x00 -> W;
            case 0x08 -> H;
            case 0x10 -> B;
            default -> DW;
        };
    }

    /** The size of this many bytes (1, 2, 4, 8). */
    public static Size ofBytes(int bytes) {
        return switch (bytes) {
            case 1 -> B;
            case 2 -> H;
            case 4 -> W;
            case 8 -> DW;
            default -> throw new IllegalArgumentException("no BPF access size of " + bytes + " bytes (1, 2, 4 or 8)");
        };
    }
}
