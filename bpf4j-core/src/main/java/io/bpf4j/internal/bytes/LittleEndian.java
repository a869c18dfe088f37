package io.bpf4j.internal.bytes;

/**
 * Little-endian integers in byte arrays: BTF, ELF and BTF.ext files, and the keys, values and
 * info structs the kernel exchanges in host order (bpf4j runs on x86-64 and arm64, both
 * little-endian). Offsets are not checked beyond what array indexing checks.
 */
public final class LittleEndian {
    private LittleEndian() {}

    /** The unsigned 16-bit value at {@code off}. */
    public static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    /** The 32-bit value at {@code off}, as Java's (signed) int. */
    public static int i32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** The unsigned 32-bit value at {@code off}. */
    public static long u32(byte[] b, int off) {
        return i32(b, off) & 0xffffffffL;
    }

    /** The 64-bit value at {@code off}. */
    public static long u64(byte[] b, int off) {
        return u32(b, off) | (long) i32(b, off + 4) << 32;
    }

    /** {@link #i32(byte[], int)} at an offset from a {@link java.lang.foreign.MemoryLayout}. */
    public static int i32(byte[] b, long off) {
        return i32(b, Math.toIntExact(off));
    }

    /** {@link #u64(byte[], int)} at an offset from a {@link java.lang.foreign.MemoryLayout}. */
    public static long u64(byte[] b, long off) {
        return u64(b, Math.toIntExact(off));
    }

    /** {@code v} as 4 bytes, e.g. an array map's key. */
    public static byte[] of32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** {@code v} as 8 bytes. */
    public static byte[] of64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }
}
