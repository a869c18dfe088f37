package io.bpf4j.asm;

/**
 * Operations of {@code BPF_STX | BPF_ATOMIC} instructions, carried in imm.
 *
 * <p>The plain read-modify-write ops came with Linux 5.12 (ADD is the older {@code XADD}); the
 * {@code FETCH} variants also return the old value in src_reg; {@link #CMPXCHG} compares with R0
 * and returns the old value in R0. {@link #LOAD_ACQ} and {@link #STORE_REL} are Linux 6.15.
 */
public enum AtomicOp {
    ADD(0x00, "add"),
    OR(0x40, "or"),
    AND(0x50, "and"),
    XOR(0xa0, "xor"),
    FETCH_ADD(0x01, "add"),
    FETCH_OR(0x41, "or"),
    FETCH_AND(0x51, "and"),
    FETCH_XOR(0xa1, "xor"),
    XCHG(0xe1, "xchg"),
    CMPXCHG(0xf1, "cmpxchg"),
    LOAD_ACQ(0x100, "load_acquire"),
    STORE_REL(0x110, "store_release");

    /** The {@code BPF_FETCH} flag in imm. */
    public static final int FETCH = 0x01;

    private final int imm;
    private final String mnemonic;

    AtomicOp(int imm, String mnemonic) {
        this.imm = imm;
        this.mnemonic = mnemonic;
    }

    /** The imm value that selects this op. */
    public int imm() {
        return imm;
    }

    /** The word bpftool uses, e.g. {@code "add"} in {@code atomic64_fetch_add}. */
    public String mnemonic() {
        return mnemonic;
    }

    /** True for the read-modify-write ops, which take only W and DW sizes. */
    public boolean isReadModifyWrite() {
        return this != LOAD_ACQ && this != STORE_REL;
    }

    /** The op with this imm, or {@code null}. */
    public static AtomicOp of(int imm) {
        for (AtomicOp op : VALUES) if (op.imm == imm) return op;
        return null;
    }

    private static final AtomicOp[] VALUES = values();
}
