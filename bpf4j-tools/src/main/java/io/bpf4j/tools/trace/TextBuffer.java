package io.bpf4j.tools.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 byte buffer that text is formatted into without intermediate Strings, then
 * written out in one call and reused: the tracer's output path per batch of sessions. Numbers
 * are rendered digit by digit, Strings encoded char by char; nothing is allocated once the
 * buffer has grown to the batch size.
 */
public final class TextBuffer {
    private byte[] buf;
    private int len;

    public TextBuffer(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** A copy of the bytes held. */
    public byte[] toByteArray() {
        return java.util.Arrays.copyOf(buf, len);
    }

    /** Bytes held. */
    public int length() {
        return len;
    }

    public void clear() {
        len = 0;
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }

    public TextBuffer append(char c) {
        ensure(3);
        if (c < 0x80) {
            buf[len++] = (byte) c;
        } else if (c < 0x800) {
            buf[len++] = (byte) (0xc0 | c >> 6);
            buf[len++] = (byte) (0x80 | c & 0x3f);
        } else {
            buf[len++] = (byte) (0xe0 | c >> 12);
            buf[len++] = (byte) (0x80 | c >> 6 & 0x3f);
            buf[len++] = (byte) (0x80 | c & 0x3f);
        }
        return this;
    }

    /** Appends {@code s} as UTF-8 (surrogate pairs included). */
    public TextBuffer append(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (len == buf.length) ensure(1);
                buf[len++] = (byte) c;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xf0 | cp >> 18);
                buf[len++] = (byte) (0x80 | cp >> 12 & 0x3f);
                buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
                buf[len++] = (byte) (0x80 | cp & 0x3f);
            } else {
                append(c);
            }
        }
        return this;
    }

    /** Appends bytes already encoded (a cached UTF-8 form: one copy instead of a loop over chars). */
    public TextBuffer append(byte[] utf8) {
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, len, utf8.length);
        len += utf8.length;
        return this;
    }

    /** The UTF-8 form of {@code s}, for {@link #append(byte[])}. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code s}, then spaces up to {@code width} chars (as {@code String.length} counts them). */
    public TextBuffer padRight(String s, int width) {
        append(s);
        return spaces(width - s.length());
    }

    public TextBuffer spaces(int n) {
        return repeat(' ', n);
    }

    /** {@code n} copies of an ASCII char (nothing if {@code n <= 0}). */
    public TextBuffer repeat(char ascii, int n) {
        if (n <= 0) return this;
        ensure(n);
        Arrays.fill(buf, len, len + n, (byte) ascii);
        len += n;
        return this;
    }

    /** Decimal, as {@link Long#toString(long)}. */
    public TextBuffer append(long v) {
        if (v == Long.MIN_VALUE) return append("-9223372036854775808");
        if (v < 0) {
            append('-');
            v = -v;
        }
        int d = digits(v);
        ensure(d);
        for (int i = len + d - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += d;
        return this;
    }

    /** {@code v} in decimal with at least {@code width} digits, zero-padded ({@code v >= 0}). */
    public TextBuffer appendZeroPadded(long v, int width) {
        repeat('0', width - digits(v));
        return append(v);
    }

    /** Lowercase hex of the unsigned value, as {@link Long#toHexString(long)}. */
    public TextBuffer appendHex(long v) {
        int d = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4);
        ensure(d);
        for (int i = len + d - 1; i >= len; i--) {
            buf[i] = (byte) "0123456789abcdef".charAt((int) (v & 15));
            v >>>= 4;
        }
        len += d;
        return this;
    }

    /** Decimal digits of a non-negative value. */
    public static int digits(long v) {
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    /** Writes the bytes in one call; the buffer keeps them (call {@link #clear()}). */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
