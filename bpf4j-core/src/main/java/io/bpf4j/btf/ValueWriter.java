package io.bpf4j.btf;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes values the way bpftool's json_writer lays them out, so output can be compared with
 * bpftool's: compact JSON ({@code bpftool -j}), pretty JSON ({@code -p}: members on their own
 * lines, four spaces a level, array elements on one line) and bpftool's plain-text BTF dump,
 * which is pretty JSON with bitfields, pointers and odd chars written as C would print them
 * ({@code 0x1f}, {@code "0xffff8880..."}, {@code 0x7}); only that last form is not valid JSON.
 *
 * <p>Text goes into one buffer, written out in 64 KiB pieces (or kept in memory when there is no
 * stream, see {@link #toString}); numbers are formatted into it without allocating, so millions
 * of values cost no garbage. {@link #raw} writes text outside the JSON structure (bpftool's hex
 * lines). Not thread-safe.
 */
public final class ValueWriter implements ValueSink {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int FLUSH_AT = 1 << 16;

    private final OutputStream out;
    private final boolean pretty;
    private final boolean plainText;
    private byte[] buf = new byte[FLUSH_AT + 256];
    private int pos;
    private int depth;
    /** jsonw's "sep": ',' once the current object or array has an element, else 0. */
    private byte sep;
    /** Spaces written at the start of every line, before the nesting indentation. */
    private int indent;
    /** A newline was written and the next line's {@link #indent} is not yet (it may still change). */
    private boolean lineStart;

    /**
     * @param out       where to write; null keeps everything in memory for {@link #toString}
     * @param pretty    one member per line, as {@code bpftool -p} and bpftool's plain text
     * @param plainText bpftool's plain-text tokens for bitfields, pointers and odd chars
     */
    public ValueWriter(OutputStream out, boolean pretty, boolean plainText) {
        this.out = out;
        this.pretty = pretty;
        this.plainText = plainText;
    }

    /** bpftool's plain-text BTF dump, kept in memory. */
    public static ValueWriter text() {
        return new ValueWriter(null, true, true);
    }

    /** Compact JSON as {@code bpftool -j} writes it, kept in memory. */
    public static ValueWriter json() {
        return new ValueWriter(null, false, false);
    }

    public boolean pretty() {
        return pretty;
    }

    public boolean plainText() {
        return plainText;
    }

    // ---- buffer ----

    private void ensure(int n) {
        if (lineStart) startLine(n);
        if (pos + n <= buf.length) return;
        grow(n);
    }

    /** Writes the line's indentation, now that something follows the newline. */
    private void startLine(int n) {
        lineStart = false;
        ensure(indent + n);
        for (int i = 0; i < indent; i++) buf[pos++] = ' ';
    }

    private void grow(int n) {
        if (out != null && pos > 0) {
            flushBuffer();
            if (n <= buf.length) return;
        }
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }

    private void flushBuffer() {
        try {
            out.write(buf, 0, pos);
            // A PrintStream (System.out) keeps write errors to itself: without this check a dump
            // into a closed pipe (| head) would go on formatting to the end.
            if (out instanceof java.io.PrintStream ps && ps.checkError()) throw new IOException("output closed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pos = 0;
    }

    private void put(byte b) {
        if (lineStart || pos == buf.length) ensure(1);
        buf[pos++] = b;
    }

    /** At the end of a line or a top-level value: hands a buffer of 64 KiB or more to the stream. */
    private void maybeFlush() {
        if (out != null && pos >= FLUSH_AT) flushBuffer();
    }

    /** Writes what is buffered to the stream (and flushes it). */
    public void flush() {
        if (out == null) return;
        if (pos > 0) flushBuffer();
        try {
            out.flush();
            if (out instanceof java.io.PrintStream ps && ps.checkError()) throw new IOException("output closed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything written so far, for a writer without a stream. */
    @Override
    public String toString() {
        return new String(buf, 0, pos, StandardCharsets.UTF_8);
    }

    /** Spaces at the start of each line from the next one on: nests one dump inside another's text. */
    public void indent(int spaces) {
        this.indent = spaces;
    }

    public int indent() {
        return indent;
    }

    // ---- raw text ----

    /** Text outside the JSON structure; each line starts with the current {@link #indent}. */
    public ValueWriter raw(CharSequence s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') newline();
            else if (c < 0x80) put((byte) c);
            else utf8(String.valueOf(c));
        }
        return this;
    }

    public ValueWriter raw(char c) {
        if (c == '\n') newline();
        else if (c < 0x80) put((byte) c);
        else utf8(String.valueOf(c));
        return this;
    }

    /** A newline; the next line starts with the current {@link #indent} once something is written on it. */
    public ValueWriter newline() {
        ensure(1);
        buf[pos++] = '\n';
        lineStart = true;
        maybeFlush();
        return this;
    }

    /** Two lower-case hex digits. */
    public ValueWriter rawHex2(int b) {
        ensure(2);
        buf[pos++] = HEX[(b >> 4) & 0xf];
        buf[pos++] = HEX[b & 0xf];
        return this;
    }

    /** A decimal number as unsigned. */
    public ValueWriter rawUnsigned(long v) {
        if (v >= 0) digits(v);
        else {
            // Unsigned 64-bit above Long.MAX_VALUE: the top digits first, then the last one.
            long q = (v >>> 1) / 5;
            digits(q);
            put((byte) ('0' + (v - q * 10)));
        }
        return this;
    }

    public ValueWriter rawSigned(long v) {
        if (v < 0) {
            put((byte) '-');
            if (v == Long.MIN_VALUE) {
                raw("9223372036854775808");
                return this;
            }
            v = -v;
        }
        digits(v);
        return this;
    }

    private void digits(long v) {
        ensure(20);
        int n = 1;
        for (long t = v; t >= 10; t /= 10) n++;
        int end = pos + n;
        for (int i = end - 1; i >= pos; i--) {
            buf[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        pos = end;
    }

    private void utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /**
     * bpftool's {@code fprint_hex}: bytes as {@code 0a 0b}, two spaces after every eighth, a
     * newline after every sixteenth.
     */
    public ValueWriter rawHexBytes(MemorySegment s, long off, int len) {
        for (int i = 0; i < len; i++) {
            if (i > 0) {
                if (i % 16 == 0) newline();
                else if (i % 8 == 0) raw("  ");
                else put((byte) ' ');
            }
            rawHex2(s.get(ValueLayout.JAVA_BYTE, off + i));
        }
        return this;
    }

    // ---- json_writer ----

    private void eor() {
        if (sep != 0) put(sep);
        sep = ',';
    }

    private void eol() {
        if (!pretty) return;
        newline();
        ensure(4 * depth);
        for (int i = 4 * depth; i > 0; i--) buf[pos++] = ' ';
    }

    @Override
    public void beginObject() {
        begin('{');
    }

    @Override
    public void endObject() {
        end('}');
    }

    @Override
    public void beginArray() {
        begin('[');
    }

    @Override
    public void endArray() {
        end(']');
    }

    private void begin(char c) {
        eor();
        put((byte) c);
        depth++;
        sep = 0;
    }

    private void end(char c) {
        if (depth == 0) throw new IllegalStateException("nothing to end");
        depth--;
        if (sep != 0) eol();
        put((byte) c);
        sep = ',';
        if (depth == 0) maybeFlush();
    }

    @Override
    public void name(String name) {
        eor();
        eol();
        sep = 0;
        quoted(name);
        put((byte) ':');
        if (pretty) put((byte) ' ');
    }

    /** Starts a new top-level value without a comma before it (jsonw_reset). */
    public void reset() {
        if (depth != 0) throw new IllegalStateException("reset inside a value");
        sep = 0;
    }

    /** Ends the output as bpftool does (a newline) and flushes. */
    public void finish() {
        if (depth != 0) throw new IllegalStateException(depth + " values still open");
        newline();
        flush();
    }

    @Override
    public void string(CharSequence s) {
        eor();
        quoted(s);
    }

    private void quoted(CharSequence s) {
        ensure(s.length() + 2);
        put((byte) '"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> raw2('\\', 't');
                case '\n' -> raw2('\\', 'n');
                case '\r' -> raw2('\\', 'r');
                case '\f' -> raw2('\\', 'f');
                case '\b' -> raw2('\\', 'b');
                case '\\' -> raw2('\\', '\\');
                case '"' -> raw2('\\', '"');
                default -> {
                    if (c < 0x20) {
                        // bpftool writes other control characters as they are; JSON needs them escaped.
                        raw2('\\', 'u');
                        raw2('0', '0');
                        rawHex2(c);
                    } else if (c < 0x80) {
                        put((byte) c);
                    } else {
                        utf8(String.valueOf(c));
                    }
                }
            }
        }
        put((byte) '"');
    }

    private void raw2(char a, char b) {
        ensure(2);
        buf[pos++] = (byte) a;
        buf[pos++] = (byte) b;
    }

    @Override
    public void signed(long v) {
        eor();
        rawSigned(v);
    }

    @Override
    public void unsigned(long v) {
        eor();
        rawUnsigned(v);
    }

    @Override
    public void bool(boolean v) {
        eor();
        raw(v ? "true" : "false");
    }

    /** JSON null. */
    public void nullValue() {
        eor();
        raw("null");
    }

    @Override
    public void bits(long hi, long lo) {
        eor();
        if (!plainText) put((byte) '"');
        raw2('0', 'x');
        if (hi == 0) {
            hex(lo, false);
        } else {
            hex(hi, false);
            hex(lo, true);
        }
        if (!plainText) put((byte) '"');
    }

    /** {@code %llx}, or {@code %016llx} when {@code pad}. */
    private void hex(long v, boolean pad) {
        ensure(16);
        int n = pad ? 16 : Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 3) / 4);
        for (int i = n - 1; i >= 0; i--) buf[pos++] = HEX[(int) (v >>> (4 * i)) & 0xf];
    }

    @Override
    public void pointer(long address) {
        eor();
        if (!plainText) {
            rawUnsigned(address);
            return;
        }
        // glibc's %p, quoted as bpftool does since v7.3 ("bpftool: Fix printing of pointer value").
        put((byte) '"');
        if (address == 0) {
            raw("(nil)");
        } else {
            raw2('0', 'x');
            hex(address, false);
        }
        put((byte) '"');
    }

    @Override
    public void character(int c) {
        eor();
        if (plainText) {
            raw2('0', 'x');
            hex(c & 0xff, false);
        } else {
            raw2('"', '\\');
            raw2('u', '0');
            put((byte) '0');
            rawHex2(c);
            put((byte) '"');
        }
    }

    @Override
    public void floating(double v) {
        eor();
        if (Double.isNaN(v) || Double.isInfinite(v)) quoted(Double.toString(v));
        else raw(Double.toString(v));
    }

    @Override
    public void invalid(String what) {
        eor();
        if (plainText) raw(what);
        else quoted(what);
    }

    /**
     * bpftool's {@code print_hex_data_json}: {@code ["0x0a","0x0b"]}.
     */
    public void hexArray(MemorySegment s, long off, int len) {
        beginArray();
        for (int i = 0; i < len; i++) {
            eor();
            ensure(6);
            buf[pos++] = '"';
            buf[pos++] = '0';
            buf[pos++] = 'x';
            int b = s.get(ValueLayout.JAVA_BYTE, off + i);
            buf[pos++] = HEX[(b >> 4) & 0xf];
            buf[pos++] = HEX[b & 0xf];
            buf[pos++] = '"';
        }
        endArray();
    }
}
