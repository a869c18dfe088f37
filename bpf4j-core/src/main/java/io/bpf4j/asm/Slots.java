package io.bpf4j.asm;

/** Reads and writes the fields of 8-byte {@code struct bpf_insn} slots in a little-endian byte array. */
final class Slots {
    private Slots() {
    }

    static void put(byte[] b, int at, int code, int dst, int src, int off, int imm) {
        b[at] = (byte) code;
        b[at + 1] = (byte) ((src & 0x0f) << 4 | (dst & 0x0f));
        b[at + 2] = (byte) off;
        b[at + 3] = (byte) (off >> 8);
        b[at + 4] = (byte) imm;
        b[at + 5] = (byte) (imm >> 8);
        b[at + 6] = (byte) (imm >> 16);
        b[at + 7] = (byte) (imm >> 24);
    }

    static int code(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int dst(byte[] b, int at) {
        return b[at + 1] & 0x0f;
    }

    static int src(byte[] b, int at) {
        return (b[at + 1] >> 4) & 0x0f;
    }

    static int off(byte[] b, int at) {
        return (short) ((b[at + 2] & 0xff) | (b[at + 3] << 8));
    }

    static int imm(byte[] b, int at) {
        return (b[at + 4] & 0xff) | (b[at + 5] & 0xff) << 8 | (b[at + 6] & 0xff) << 16 | (b[at + 7] & 0xff) << 24;
    }
}
