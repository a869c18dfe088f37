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
    /** False once anything that may not be ASCII was appended (then {@link #indexOfChar} counts). */
    private boolean ascii = true;

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
        ascii = true;
    }

    /** The byte index where the first {@code chars} UTF-16 chars end (all of it if shorter). */
    public int indexOfChar(int chars) {
        if (ascii) return Math.max(0, Math.min(chars, len)); // one byte per char
        byte[] b = buf;
        int i = 0, n = 0, end = len;
        while (i < end && n < chars) {
            int x = b[i];
            if (x >= 0) { // ASCII: one byte, one char
                i++;
                n++;
                continue;
            }
            int size = (x & 0xe0) == 0xc0 ? 2 : (x & 0xf0) == 0xe0 ? 3 : 4;
            int units = size == 4 ? 2 : 1;
            if (n + units > chars) break; // never split a surrogate pair
            n += units;
            i = Math.min(end, i + size);
        }
        return i;
    }

    /** Appends {@code n} bytes of {@code other} from its start. */
    public TextBuffer append(TextBuffer other, int n) {
        ascii &= other.ascii;
        ensure(n);
        System.arraycopy(other.buf, 0, buf, len, n);
        len += n;
        return this;
    }

    /** Appends {@code n} bytes of {@code utf8} from {@code off} (may be other than ASCII). */
    TextBuffer append(byte[] utf8, int off, int n) {
        ascii = false;
        ensure(n);
        System.arraycopy(utf8, off, buf, len, n);
        len += n;
        return this;
    }

    /** Copies the bytes held in {@code [from, to)} into {@code dst} at {@code at}. */
    void copyRange(int from, int to, byte[] dst, int at) {
        System.arraycopy(buf, from, dst, at, to - from);
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }

    public TextBuffer append(char c) {
        // The common case, an ASCII char with room for it, is one store; the rest is out of line.
        if (c < 0x80 && len < buf.length) {
            buf[len++] = (byte) c;
            return this;
        }
        return appendRare(c);
    }

    private TextBuffer appendRare(char c) {
        ensure(3);
        if (c < 0x80) {
            buf[len++] = (byte) c;
            return this;
        }
        ascii = false;
        if (c < 0x800) {
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
                ascii = false;
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
        ascii = false; // not looked at: may be other than ASCII
        return appendAscii(utf8);
    }

    /** Appends bytes that are all ASCII (the caller knows: a constant, an identifier checked once). */
    public TextBuffer appendAscii(byte[] ascii) {
        ensure(ascii.length);
        System.arraycopy(ascii, 0, buf, len, ascii.length);
        len += ascii.length;
        return this;
    }

    /** True if every byte of {@code b} is ASCII. */
    public static boolean isAscii(byte[] b) {
        for (byte x : b) if (x < 0) return false;
        return true;
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
        // Padding is spaces or zeros: one arraycopy from a row of them. The reader runs C1 code
        // (the launcher's -XX:TieredStopAtLevel=1), where Arrays.fill is a loop over the bytes and
        // arraycopy an intrinsic.
        byte[] row = ascii == ' ' ? SPACES : ascii == '0' ? ZEROS : null;
        if (row != null && n <= row.length) System.arraycopy(row, 0, buf, len, n);
        else Arrays.fill(buf, len, len + n, (byte) ascii);
        len += n;
        return this;
    }

    private static final byte[] SPACES = new byte[128], ZEROS = new byte[32];
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    /** 10^i for i in 0..18. */
    private static final long[] POW10 = new long[19];

    static {
        Arrays.fill(SPACES, (byte) ' ');
        Arrays.fill(ZEROS, (byte) '0');
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
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
        int i = len + d;
        // C1 divides by a constant with an idiv instruction (tens of cycles each): one long
        // division per nine digits, then multiply-and-shift for the int part.
        while (v >= 1_000_000_000L) {
            long q = v / 1_000_000_000L;
            i = fixedDigits((int) (v - q * 1_000_000_000L), 9, i);
            v = q;
        }
        int x = (int) v;
        while (x >= 10) {
            int q = tenth(x);
            buf[--i] = (byte) ('0' + x - q * 10);
            x = q;
        }
        buf[--i] = (byte) ('0' + x);
        len += d;
        return this;
    }

    /** {@code x / 10} for {@code 0 <= x < 2^31}, without a division (exact over that range). */
    private static int tenth(int x) {
        return (int) ((x * 0xCCCCCCCDL) >>> 35);
    }

    /**
     * The last {@code n} decimal digits of {@code 0 <= x < 2^31}, zero-padded, ending before
     * {@code end}; returns where they start.
     */
    private int fixedDigits(int x, int n, int end) {
        for (int k = 0; k < n; k++) {
            int q = tenth(x);
            buf[--end] = (byte) ('0' + x - q * 10);
            x = q;
        }
        return end;
    }

    /** The last {@code n} decimal digits of {@code 0 <= x < 2^31}, zero-padded to exactly {@code n}. */
    TextBuffer appendDigits(int x, int n) {
        ensure(n);
        len += n;
        fixedDigits(x, n, len);
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
            buf[i] = HEX[(int) (v & 15)];
            v >>>= 4;
        }
        len += d;
        return this;
    }

    /** Decimal digits of a non-negative value. */
    public static int digits(long v) {
        int d = 1;
        while (d < POW10.length && v >= POW10[d]) d++;
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
