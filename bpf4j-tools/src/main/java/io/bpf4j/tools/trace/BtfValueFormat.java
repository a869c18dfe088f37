package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders a value of a BTF type from captured bytes, as retsnoop renders captured arguments:
 * structs as {@code {.field=value,...}} leaving out zero members, enums by name, bools as
 * {@code true}/{@code false}, char arrays as {@code 'text'}, integers in decimal (hex when large).
 * Bytes that were not captured end the rendering with {@code …}. {@code compact} prints one line
 * and leaves out pointer members of structs (kernel addresses crowd out the fields one is after);
 * otherwise one member per line, indented, pointers included.
 */
final class BtfValueFormat {
    static final String ELLIPSIS = "…";
    /** Nesting of structs inside structs printed at most (deeper ones print as {...}). */
    static final int MAX_NESTING = 6;

    private final Btf btf;
    private final boolean compact;
    /** Per struct or union type id, its members as rendering needs them (resolved once). */
    private final java.util.Map<Integer, Slot[]> members = new java.util.concurrent.ConcurrentHashMap<>();

    BtfValueFormat(Btf btf, boolean compact) {
        this.btf = btf;
        this.compact = compact;
    }

    /**
     * A member of a struct or union: its type, where it is, whether it is a pointer (compact
     * leaves those out), its size for the zero test, and its {@code .name=} text.
     */
    private record Slot(int type, BtfType resolved, long byteOffset, long bitOffset, int bits, boolean pointer, long size, byte[] label,
            boolean asciiLabel, int intSize, boolean signed) {}

    private Slot[] slots(BtfType.Composite c) {
        Slot[] s = members.get(c.id());
        if (s != null) return s;
        List<BtfType.Member> ms = c.members();
        s = new Slot[ms.size()];
        for (int i = 0; i < s.length; i++) {
            BtfType.Member m = ms.get(i);
            Btf.Field f = btf.member(c, m);
            boolean bitfield = f.bitfieldSize() > 0;
            BtfType t = btf.resolve(m.type());
            byte[] label = TextBuffer.utf8(m.name().isEmpty() ? "" : "." + m.name() + (compact ? "=" : " = "));
            // A whole (not bit-field) integer other than a bool: rendered by composite() itself.
            int intSize = !bitfield && t instanceof BtfType.Int it && (it.encoding() & BtfType.Int.BOOL) == 0
                    && (it.size() == 1 || it.size() == 2 || it.size() == 4 || it.size() == 8) ? it.size() : 0;
            s[i] = new Slot(m.type(), t, bitfield ? 0 : f.byteOffset(), bitfield ? f.bitOffset() : 0, f.bitfieldSize(),
                    t instanceof BtfType.Ptr, bitfield ? 1 : sizeOfSafe(m.type()), label, TextBuffer.isAscii(label), intSize,
                    intSize > 0 && ((BtfType.Int) t).signed());
        }
        members.put(c.id(), s);
        return s;
    }

    /** Thrown inside when the bytes run out; caught where the truncation mark goes. */
    private static final class Short extends RuntimeException {
        Short() {
            super(null, null, false, false);
        }
    }

    private static final Short SHORT = new Short();

    /** The value of {@code typeId} at {@code off} in {@code data} (of which {@code end} bytes are valid). */
    void value(int typeId, byte[] data, int off, int end, TextBuffer out, int indent) {
        value(typeId, data, off, end, out, indent, Integer.MAX_VALUE);
    }

    /**
     * As {@link #value(int, byte[], int, int, TextBuffer, int)}, but stops appending as soon
     * as {@code out} is longer than {@code limit} bytes: a caller that cuts the text at a
     * width does not pay for the rest of a large struct or union. Every level returns on its own
     * length check, not through an exception: unwinding a throw through the reader's compiled
     * frames cost ~10% of a -A session's CPU (TraceConsumerBench). The text goes straight into
     * bytes: the reader's C1 code has no intrinsics for StringBuilder's Latin-1 copies or for
     * encoding a String, so a value rendered into a StringBuilder and then encoded cost twice.
     */
    void value(int typeId, byte[] data, int off, int end, TextBuffer out, int indent, int limit) {
        try {
            write(typeId, data, off, end, 0, -1, out, indent, 0, limit);
        } catch (Short s) {
            out.append(ELLIPSIS_UTF8);
        }
    }

    /** True if every bit of the value is zero (or was not captured). */
    boolean isZero(int typeId, byte[] data, int off, int end, long bitOff, int bits) {
        return isZero(bits > 0 ? 1 : sizeOfSafe(typeId), data, off, end, bitOff, bits);
    }

    private static boolean isZero(long size, byte[] data, int off, int end, long bitOff, int bits) {
        if (bits > 0) return bitfield(data, off, end, bitOff, bits) == 0;
        for (long i = off; i < off + size && i < end; i++) if (data[(int) i] != 0) return false;
        return true;
    }

    private long sizeOfSafe(int typeId) {
        try {
            return btf.sizeOf(typeId);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static long le(byte[] d, int off, int size, int end) {
        if (off + size > end || off < 0) throw SHORT;
        if (size == 8) { // registers, pointers, longs: unrolled for C1
            return (d[off] & 0xffL) | (d[off + 1] & 0xffL) << 8 | (d[off + 2] & 0xffL) << 16 | (d[off + 3] & 0xffL) << 24
                    | (d[off + 4] & 0xffL) << 32 | (d[off + 5] & 0xffL) << 40 | (d[off + 6] & 0xffL) << 48 | (d[off + 7] & 0xffL) << 56;
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (d[off + i] & 0xff);
        return v;
    }

    static long bitfield(byte[] d, int off, int end, long bitOff, int bits) {
        int first = off + (int) (bitOff >>> 3);
        int last = off + (int) ((bitOff + bits - 1) >>> 3);
        if (last >= end) throw SHORT;
        long v = 0;
        for (int i = last; i >= first; i--) v = v << 8 | (d[i] & 0xff);
        v >>>= (bitOff & 7);
        return bits >= 64 ? v : v & ((1L << bits) - 1);
    }

    /** An integer as retsnoop prints it: decimal, hex when it is large (addresses, masks). */
    static String integer(long v, boolean signed, int size) {
        return appendInteger(new TextBuffer(20), v, signed, size).toString();
    }

    /** {@link #integer} appended to {@code out}, without a String of its own (the reader's hot path). */
    static TextBuffer appendInteger(TextBuffer out, long v, boolean signed, int size) {
        if (signed) {
            long s = size >= 8 ? v : v << (64 - 8 * size) >> (64 - 8 * size);
            return s > -(1L << 31) && s < (1L << 32) ? out.append(s) : appendHex(out, s);
        }
        long u = size >= 8 ? v : v & (-1L >>> (64 - 8 * size));
        return u >= 0 && u < (1L << 32) ? out.append(u) : appendHex(out, u);
    }

    /** A pointer as retsnoop prints it: {@code NULL} or {@code 0x} and lower-case hex. */
    static TextBuffer appendPointer(TextBuffer out, long v) {
        return v == 0 ? out.appendAscii(NULL) : appendHex(out, v);
    }

    /** {@code 0x} and the value in lower-case hex. */
    static TextBuffer appendHex(TextBuffer out, long v) {
        return out.appendAscii(HEX_PREFIX).appendHex(v);
    }

    private static final byte[] NULL = TextBuffer.utf8("NULL"), HEX_PREFIX = TextBuffer.utf8("0x"), TRUE = TextBuffer.utf8("true"),
            FALSE = TextBuffer.utf8("false"), NESTED = TextBuffer.utf8("{...}");
    static final byte[] ELLIPSIS_UTF8 = TextBuffer.utf8(ELLIPSIS);

    private void write(int typeId, byte[] d, int off, int end, long bitOff, int bits, TextBuffer out, int indent, int depth, int limit) {
        write(btf.resolve(typeId), d, off, end, bitOff, bits, out, indent, depth, limit);
    }

    private void write(BtfType t, byte[] d, int off, int end, long bitOff, int bits, TextBuffer out, int indent, int depth, int limit) {
        if (out.length() > limit) return;
        // instanceof tests, not a pattern switch: the reader runs C1 code, where a switch over
        // types is an invokedynamic call (SwitchBootstraps.typeSwitch) per value rendered.
        if (t instanceof BtfType.Int i) {
            long v = bits > 0 ? bitfield(d, off, end, bitOff, bits) : le(d, off, i.size(), end);
            if ((i.encoding() & BtfType.Int.BOOL) != 0) out.appendAscii(v != 0 ? TRUE : FALSE);
            else if (bits > 0 && i.signed() && bits < 64 && (v >>> (bits - 1) & 1) != 0) out.append(v | (-1L << bits));
            else if (bits > 0) out.append(Long.toUnsignedString(v));
            else appendInteger(out, v, i.signed(), i.size());
        } else if (t instanceof BtfType.Ptr) {
            appendPointer(out, le(d, off, 8, end));
        } else if (t instanceof BtfType.Composite c) {
            composite(c, d, off, end, out, indent, depth, limit);
        } else if (t instanceof BtfType.Enumeration e) {
            long v = bits > 0 ? bitfield(d, off, end, bitOff, bits) : le(d, off, e.size(), end);
            boolean signed = e instanceof BtfType.Enum en ? en.signed() : ((BtfType.Enum64) e).signed();
            out.append(enumName(e, v, signed));
        } else if (t instanceof BtfType.Array a) {
            array(a, d, off, end, out, indent, depth, limit);
        } else if (t instanceof BtfType.Float f) {
            appendHex(out, le(d, off, f.size(), end));
        } else {
            out.append('?');
        }
    }

    static String enumName(BtfType.Enumeration e, long raw, boolean signed) {
        int size = e instanceof BtfType.Enum en ? en.size() : ((BtfType.Enum64) e).size();
        long v = size >= 8 ? raw : signed ? raw << (64 - 8 * size) >> (64 - 8 * size) : raw & (-1L >>> (64 - 8 * size));
        java.util.List<BtfType.EnumValue> values = e instanceof BtfType.Enum en ? en.values() : ((BtfType.Enum64) e).values();
        for (BtfType.EnumValue ev : values) {
            long x = size >= 8 ? ev.value() : signed ? ev.value() : ev.value() & (-1L >>> (64 - 8 * size));
            if (x == v) return ev.name();
        }
        return integer(v, signed, size);
    }

    private void array(BtfType.Array a, byte[] d, int off, int end, TextBuffer out, int indent, int depth, int limit) {
        BtfType elem = btf.resolve(a.elemType());
        int n = a.nelems();
        if (elem instanceof BtfType.Int i && i.size() == 1 && (i.name().equals("char") || i.name().equals("signed char"))) {
            // A char array: the text up to its NUL, like retsnoop's strings. An unsigned char
            // (u8) array is bytes: bpf_prog's tag, a MAC address.
            int len = 0;
            while (len < n && off + len < end && d[off + len] != 0) len++;
            out.append('\'');
            escape(new String(d, off, len, StandardCharsets.UTF_8), out);
            out.append('\'');
            if (len < n && off + len >= end) out.append(ELLIPSIS_UTF8);
            return;
        }
        long es = sizeOfSafe(a.elemType());
        int last = -1;
        for (int k = 0; k < n; k++) {
            if (off + (k + 1) * es > end) {
                last = k;
                break;
            }
            if (!isZero(a.elemType(), d, (int) (off + k * es), end, 0, 0)) last = k;
        }
        out.append('[');
        for (int k = 0; k <= last; k++) {
            if (out.length() > limit) return;
            if (k > 0) out.append(',');
            write(a.elemType(), d, (int) (off + k * es), end, 0, 0, out, indent, depth + 1, limit);
        }
        out.append(']');
    }

    private void composite(BtfType.Composite c, byte[] d, int off, int end, TextBuffer out, int indent, int depth, int limit) {
        if (depth >= MAX_NESTING) {
            out.appendAscii(NESTED);
            return;
        }
        out.append('{');
        boolean first = true;
        for (Slot m : slots(c)) {
            if (out.length() > limit) return;
            if (compact && m.pointer) continue;
            int moff = off + (int) m.byteOffset;
            if (m.bits == 0 && moff >= end) {
                // Not captured: the struct was larger than the bytes read.
                if (!first) out.append(',');
                newline(out, indent + 1, compact);
                out.append(ELLIPSIS_UTF8);
                first = false;
                break;
            }
            if (m.intSize > 0 && moff + m.intSize <= end) {
                // The most common member (registers, ids, counts, flags): read once, tested for
                // zero and printed from the one value.
                long v = le(d, moff, m.intSize, end);
                if (v == 0) continue;
                startMember(m, first, out, indent);
                first = false;
                // As write() does: past the limit, nothing more (the caller cuts or renders again).
                if (out.length() <= limit) appendInteger(out, v, m.signed, m.intSize);
                continue;
            }
            boolean zero;
            try {
                zero = isZero(m.size, d, moff, end, m.bitOffset, m.bits);
            } catch (Short s) {
                zero = false;
            }
            if (zero) continue;
            startMember(m, first, out, indent);
            first = false;
            write(m.resolved, d, moff, end, m.bitOffset, m.bits, out, indent + 1, depth + 1, limit);
        }
        if (!first) newline(out, indent, compact);
        out.append('}');
    }

    /** A printed member's separator, line break (multi-line) and {@code .name=}. */
    private void startMember(Slot m, boolean first, TextBuffer out, int indent) {
        if (!first) out.append(',');
        newline(out, indent + 1, compact);
        if (m.asciiLabel) out.appendAscii(m.label);
        else out.append(m.label);
    }

    private static void newline(TextBuffer out, int indent, boolean compact) {
        if (compact) return;
        out.append('\n');
        out.spaces(4 * indent);
    }

    /** {@code s} as C escapes it in a string literal: quotes, backslashes and control chars. */
    static void escape(String s, TextBuffer out) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\n' -> out.append('\\').append('n');
                case '\t' -> out.append('\\').append('t');
                case '\'' -> out.append('\\').append('\'');
                case '\\' -> out.append('\\').append('\\');
                default -> {
                    if (ch < 0x20) {
                        out.append('\\').append('x');
                        if (ch < 0x10) out.append('0');
                        out.appendHex(ch);
                    } else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(s.substring(i, i + 2)); // a pair is one 4-byte sequence
                        i++;
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
    }
}
