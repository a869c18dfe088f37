package io.bpf4j;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Kernel object names: at most 15 bytes of [A-Za-z0-9_.] plus NUL (BPF_OBJ_NAME_LEN). */
final class Names {
    private Names() {}

    static final int OBJ_NAME_LEN = 16;

    /** Writes a sanitised, truncated name; characters the kernel rejects become '_'. */
    static void write(MemorySegment dst, long offset, String name) {
        if (name == null) return;
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(b.length, OBJ_NAME_LEN - 1);
        for (int i = 0; i < n; i++) {
            byte c = b[i];
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
            dst.set(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + i, ok ? c : (byte) '_');
        }
    }

    /** Reads a NUL-terminated string of at most max bytes from a heap copy. */
    static String read(byte[] src, long offset, int max) {
        int o = (int) offset, len = 0;
        while (len < max && src[o + len] != 0) len++;
        return new String(src, o, len, StandardCharsets.UTF_8);
    }

    /** Reads a NUL-terminated string of at most max bytes. */
    static String read(MemorySegment src, long offset, int max) {
        int len = 0;
        while (len < max && src.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + len) != 0) len++;
        byte[] b = new byte[len];
        MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }
}
