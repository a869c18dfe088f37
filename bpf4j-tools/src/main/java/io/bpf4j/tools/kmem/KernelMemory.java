package io.bpf4j.tools.kmem;

import java.nio.charset.StandardCharsets;

/**
 * Read access to a kernel's virtual address space: {@link Kcore} for the running kernel, or any
 * other source (a saved image, a fake in tests). Reads of unmapped addresses throw
 * {@link MemoryFault}; implementations never return partial data silently.
 *
 * <p>All multi-byte values are little endian (x86-64 and arm64, the kernels bpf4j supports).
 */
public interface KernelMemory {
    /** Copies {@code length} bytes at kernel virtual {@code address} into {@code dst}. */
    void read(long address, byte[] dst, int offset, int length);

    /**
     * Forgets any cached bytes, so the next reads see the kernel as it is now. A no-op for
     * sources that do not cache.
     */
    default void invalidate() {}

    default byte[] read(long address, int length) {
        if (length < 0) throw new MemoryFault(address, length, "negative length");
        byte[] b = new byte[length];
        read(address, b, 0, length);
        return b;
    }

    default long u64(long address) {
        return le(read(address, 8), 8);
    }

    default int u32(long address) {
        return (int) le(read(address, 4), 4);
    }

    default int u16(long address) {
        return (int) le(read(address, 2), 2);
    }

    default int u8(long address) {
        return read(address, 1)[0] & 0xff;
    }

    /**
     * The NUL-terminated string at {@code address}, at most {@code max} bytes; a string without
     * NUL in that range is cut there. Read in small chunks so a short string near the end of a
     * mapping does not fault.
     */
    default String cString(long address, int max) {
        byte[] out = new byte[max];
        int n = 0;
        while (n < max) {
            // Never read across a 64-byte boundary, so we stay on the page the string is on.
            int chunk = (int) Math.min(max - n, 64 - ((address + n) & 63));
            read(address + n, out, n, chunk);
            for (int i = n; i < n + chunk; i++) {
                if (out[i] == 0) return new String(out, 0, i, StandardCharsets.UTF_8);
            }
            n += chunk;
        }
        return new String(out, 0, max, StandardCharsets.UTF_8);
    }

    /** Little-endian value of the first {@code size} (1..8) bytes of {@code b}. */
    static long le(byte[] b, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (b[i] & 0xff);
        return v;
    }
}
