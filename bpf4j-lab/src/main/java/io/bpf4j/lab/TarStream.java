package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A tar stream (ustar, with GNU long names and pax path records, as dpkg-deb writes them) read
 * entry by entry. Only what extracting one file needs: names, types, sizes and a bounded view of
 * each regular file's bytes; a caller that found its file stops reading, and the rest of the
 * (compressed) stream is never decoded.
 */
final class TarStream {
    /** An entry: its path without the leading {@code ./}, its type flag and its size in bytes. */
    record Entry(String path, char type, long size) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final InputStream in;
    private final String what;
    private BoundedStream current; // the current entry's data
    private long padding;          // after it, to the next 512-byte block

    TarStream(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** The next entry, or null at the end of the archive. */
    Entry next() throws IOException {
        if (current != null) {
            current.skipRest();
            skip(padding);
            current = null;
        }
        String longName = null;
        while (true) {
            byte[] h = in.readNBytes(512);
            if (h.length == 0) return null; // no end-of-archive blocks: accept a plain EOF too
            if (h.length < 512) throw new BpfFormatException(what + ": truncated tar header");
            if (allZero(h)) return null;
            checkSum(h);
            char type = (char) h[156];
            long size = number(h, 124, 12);
            long padded = (size + 511) & ~511L;
            if (type == 'L' || type == 'x' || type == 'g') {
                if (size > 1 << 20) throw new BpfFormatException(what + ": tar " + (type == 'L' ? "long name" : "pax header") + " of " + size + " bytes");
                byte[] body = readFully((int) size);
                skip(padded - size);
                if (type == 'L') longName = cString(body, 0, body.length);
                else if (type == 'x') {
                    String p = paxPath(body);
                    if (p != null) longName = p;
                }
                continue;
            }
            String name = longName != null ? longName : ustarName(h);
            if (name.startsWith("./")) name = name.substring(2);
            current = new BoundedStream(in, size, what + ": tar entry " + name);
            padding = padded - size;
            return new Entry(name, type, size);
        }
    }

    /** The current entry's bytes (call once, right after {@link #next()}). */
    InputStream data() {
        return current;
    }

    private void skip(long n) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new BpfFormatException(what + ": truncated tar entry");
        }
    }

    private byte[] readFully(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) throw new BpfFormatException(what + ": truncated tar entry");
        return b;
    }

    private String ustarName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = "ustar".equals(cString(h, 257, 6).strip());
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path=} record of a pax extended header ("LEN path=VALUE\n" records). */
    private String paxPath(byte[] body) {
        int i = 0;
        while (i < body.length) {
            int sp = i;
            while (sp < body.length && body[sp] != ' ') sp++;
            int len;
            try {
                len = Integer.parseInt(new String(body, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new BpfFormatException(what + ": malformed pax header record");
            }
            if (len <= 0 || i + len > body.length) throw new BpfFormatException(what + ": malformed pax header record");
            String rec = new String(body, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            if (rec.startsWith("path=")) return rec.substring(5);
            i += len;
        }
        return null;
    }

    private void checkSum(byte[] h) {
        long stored = number(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        if (sum != stored) throw new BpfFormatException(what + ": tar header checksum mismatch (not a tar stream, or corrupt)");
    }

    /** Octal, or GNU base-256 when the top bit of the first byte is set (sizes of 8 GiB and more). */
    private long number(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) v = (v << 8) | (h[off + i] & 0xff);
            return v;
        }
        String s = cString(h, off, len).strip();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new BpfFormatException(what + ": tar header field '" + Escape.text(s) + "' is not an octal number");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }
}
