package io.bpf4j.explain.rules;

/** Reads what rules need from raw instructions (8-byte slots, little-endian) without decoding all of them. */
final class InsnScan {
    private InsnScan() {}

    /** Whether the instructions call helper {@code id}. */
    static boolean callsHelper(byte[] insns, int id) {
        if (insns == null) return false;
        for (int i = 0; i + 8 <= insns.length; i += 8) {
            if ((insns[i] & 0xff) != 0x85 || ((insns[i + 1] >> 4) & 0xf) != 0) continue;
            int imm = (insns[i + 4] & 0xff) | (insns[i + 5] & 0xff) << 8 | (insns[i + 6] & 0xff) << 16 | insns[i + 7] << 24;
            if (imm == id) return true;
        }
        return false;
    }

    /** The highest helper id a {@code call} (code 0x85, src_reg 0) uses, or -1. */
    static int maxHelperCall(byte[] insns) {
        if (insns == null) return -1;
        int max = -1;
        for (int i = 0; i + 8 <= insns.length; i += 8) {
            if ((insns[i] & 0xff) != 0x85 || ((insns[i + 1] >> 4) & 0xf) != 0) continue;
            int imm = (insns[i + 4] & 0xff) | (insns[i + 5] & 0xff) << 8 | (insns[i + 6] & 0xff) << 16 | insns[i + 7] << 24;
            max = Math.max(max, imm);
        }
        return max;
    }
}
