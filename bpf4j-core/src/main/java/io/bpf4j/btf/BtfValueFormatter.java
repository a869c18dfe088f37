package io.bpf4j.btf;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Datasec;
import io.bpf4j.btf.BtfType.Enum;
import io.bpf4j.btf.BtfType.Enum64;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Fwd;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Ptr;
import io.bpf4j.btf.BtfType.Qualifier;
import io.bpf4j.btf.BtfType.Typedef;
import io.bpf4j.btf.BtfType.Var;
import io.bpf4j.btf.BtfType.VarSecinfo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Formats the bytes of a value by its BTF type, as bpftool's BTF dumper does for
 * {@code bpftool map dump}: structs and unions as objects of their members, arrays as arrays,
 * NUL-terminated char arrays as strings, enums by enumerator name, bitfields and 128-bit
 * integers in hex, typedefs and qualifiers looked through, global-data sections as
 * {@code {"<section>": [{"<var>": value}, ...]}}.
 *
 * <p>Output goes to a {@link ValueSink}: a {@link ValueWriter} for bpftool's text or JSON, or
 * {@link #tree} for maps and lists. The formatter touches no kernel and is pure: the same BTF
 * and bytes always give the same output. Each type is compiled once, on first use, into a
 * small plan that later values reuse, so formatting millions of map entries does not walk the
 * BTF again. Instances are thread-safe.
 *
 * <p>Where bpftool gives up, this formatter goes on: floats are printed (bpftool prints
 * {@code (unsupported-kind)} and stops), and a value that cannot be printed is written as
 * bpftool's marker ({@code (unknown)}, {@code (fwd-kind-invalid)}, {@code (unsupported-kind)})
 * without ending the rest of the value.
 */
public final class BtfValueFormatter {
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** One-character strings for printable ASCII chars, so a char value allocates nothing. */
    private static final String[] CHARS = new String[0x7f];
    static {
        for (int c = 0x20; c < 0x7f; c++) CHARS[c] = String.valueOf((char) c);
    }

    private final Btf btf;
    /** Compiled plans by type id; filled on first use (a racy cache of immutable objects). */
    private final Node[] nodes;

    public BtfValueFormatter(Btf btf) {
        this.btf = btf;
        this.nodes = new Node[btf.typeCount()];
    }

    public Btf btf() {
        return btf;
    }

    /** Bytes a value of this type takes (its C sizeof). */
    public long size(int typeId) {
        return node(typeId).size;
    }

    /**
     * Formats the value of type {@code typeId} that starts at {@code offset} in {@code data}.
     *
     * @throws IllegalArgumentException  if fewer than {@link #size} bytes follow {@code offset}
     * @throws BpfFormatException        if the type id is out of range or the BTF is malformed
     */
    public void format(int typeId, MemorySegment data, long offset, ValueSink sink) {
        Node n = node(typeId);
        if (offset < 0 || data.byteSize() - offset < n.size)
            throw new IllegalArgumentException("BTF type [" + typeId + "] needs " + n.size + " bytes, "
                    + Math.max(0, data.byteSize() - offset) + " given");
        n.emit(data, offset, 0, sink);
    }

    public void format(int typeId, byte[] data, ValueSink sink) {
        format(typeId, MemorySegment.ofArray(data), 0, sink);
    }

    /** bpftool's plain-text form of one value, e.g. {@code {\n    "id": 7,\n    "comm": "hello"\n}}. */
    public String text(int typeId, byte[] data) {
        ValueWriter w = ValueWriter.text();
        format(typeId, data, w);
        return w.toString();
    }

    /** bpftool's JSON form of one value ({@code "formatted"} in {@code bpftool -j map dump}). */
    public String json(int typeId, byte[] data) {
        ValueWriter w = ValueWriter.json();
        format(typeId, data, w);
        return w.toString();
    }

    /**
     * The value as Java objects, equal to what a JSON parser makes of {@link #json}: a struct,
     * union, VAR or DATASEC is a {@code Map<String, Object>} in member order (a later member of
     * the same name replaces an earlier one, as in parsed JSON), an array a {@code List}, a
     * string, enumerator, bitfield ({@code "0x1f"}) or char a {@code String}, an integer a
     * {@code Long} or, for u64 values above {@code Long.MAX_VALUE}, a {@code BigInteger}, a
     * bool a {@code Boolean}, a float a {@code Double}.
     */
    public Object tree(int typeId, byte[] data) {
        ValueTree t = new ValueTree();
        format(typeId, data, t);
        return t.result();
    }

    // ---- plans ----

    private Node node(int id) {
        return node(id, 0);
    }

    private Node node(int id, int depth) {
        if (id >= 0 && id < nodes.length) {
            Node n = nodes[id];
            if (n != null) return n;
        }
        if (depth > Btf.MAX_DEPTH) throw new BpfFormatException("BTF: type [" + id + "] nests deeper than " + Btf.MAX_DEPTH);
        Node n = build(btf.typeById(id), depth);
        if (id >= 0 && id < nodes.length) nodes[id] = n;
        return n;
    }

    private Node build(BtfType t, int depth) {
        return switch (t) {
            case BtfType.Void _ -> new Invalid("(unknown)");
            case Int i -> new IntNode(i);
            case Composite c -> struct(c, depth);
            case Array a -> array(a, depth);
            case Enum e -> new EnumNode(e.size(), e.values(), false);
            case Enum64 e -> new EnumNode(e.size(), e.values(), true);
            case Ptr _ -> new PtrNode();
            case Fwd _ -> new Invalid("(fwd-kind-invalid)");
            // btf__resolve_type: typedefs and qualifiers are looked through (bit offset and all).
            case Typedef r -> node(r.type(), depth + 1);
            case Qualifier r -> node(r.type(), depth + 1);
            case Var v -> new VarNode(v.name(), node(v.type(), depth + 1));
            case Datasec d -> datasec(d, depth);
            case BtfType.Float f -> new FloatNode(f.size());
            default -> new Invalid("(unsupported-kind)");
        };
    }

    private Node struct(Composite c, int depth) {
        List<Member> ms = c.members();
        int n = ms.size();
        String[] names = new String[n];
        long[] byteOff = new long[n];
        int[] bitInByte = new int[n];
        int[] bitfield = new int[n];
        Node[] types = new Node[n];
        long size = Integer.toUnsignedLong(c.size());
        for (int i = 0; i < n; i++) {
            Member m = ms.get(i);
            long bitOff = Integer.toUnsignedLong(m.bitOffset());
            names[i] = m.name();
            byteOff[i] = bitOff >>> 3;
            bitInByte[i] = (int) (bitOff & 7);
            bitfield[i] = c.kindFlag() ? m.bitfieldSize() : 0;
            if (bitfield[i] == 0) types[i] = node(m.type(), depth + 1);
            long end = bitfield[i] != 0 ? (bitOff + bitfield[i] + 7) >>> 3 : byteOff[i] + types[i].size;
            if (end > size)
                throw new BpfFormatException("BTF: " + c.kind().kernelName() + " [" + c.id() + "] member "
                        + (m.name().isEmpty() ? "#" + i : m.name()) + " ends at byte " + end + ", past its size " + size);
        }
        return new StructNode(size, names, byteOff, bitInByte, bitfield, types);
    }

    private Node array(Array a, int depth) {
        Node elem = node(a.elemType(), depth + 1);
        long elemSize = elem.size;
        long nelems = Integer.toUnsignedLong(a.nelems());
        // bpftool's is_str_array: qualifiers are skipped, typedefs are not (a typedef of char is no string).
        BtfType e = btf.typeById(a.elemType());
        for (int steps = 0; e instanceof Qualifier q && steps <= btf.typeCount(); steps++) e = btf.typeById(q.type());
        boolean chars = e instanceof Int i && i.size() == 1 && (i.encoding() == Int.CHAR || i.name().equals("char"));
        if (elemSize != 0 && nelems > Long.MAX_VALUE / elemSize)
            throw new BpfFormatException("BTF: ARRAY [" + a.id() + "] is larger than 2^63 bytes");
        return new ArrayNode(elem, elemSize, nelems, chars);
    }

    private Node datasec(Datasec d, int depth) {
        List<VarSecinfo> vs = d.vars();
        long[] offs = new long[vs.size()];
        Node[] vars = new Node[vs.size()];
        long size = Integer.toUnsignedLong(d.size());
        for (int i = 0; i < vs.size(); i++) {
            offs[i] = Integer.toUnsignedLong(vs.get(i).offset());
            vars[i] = node(vs.get(i).type(), depth + 1);
            if (offs[i] + vars[i].size > size)
                throw new BpfFormatException("BTF: DATASEC [" + d.id() + "] variable #" + i + " ends past its size " + size);
        }
        return new DatasecNode(size, d.name(), offs, vars);
    }

    /** A compiled type: how many bytes it reads and how to emit a value of it. */
    private abstract static class Node {
        final long size;

        Node(long size) {
            this.size = size;
        }

        /** {@code bitOff} (0-7) is set for a member whose offset is not byte-aligned (pre-kind_flag bitfields). */
        abstract void emit(MemorySegment d, long off, int bitOff, ValueSink s);
    }

    private static final class Invalid extends Node {
        final String what;

        Invalid(String what) {
            super(0);
            this.what = what;
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            s.invalid(what);
        }
    }

    private static final class IntNode extends Node {
        final int encoding, intOffset, bits;

        IntNode(Int i) {
            super(Integer.toUnsignedLong(i.size()));
            this.encoding = i.encoding();
            this.intOffset = i.bitOffset();
            this.bits = i.bits();
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            if (bitOff != 0 || intOffset != 0 || (bits & 7) != 0) {
                intBits(d, off, bitOff, s);
                return;
            }
            if (bits == 128) {
                s.bits(d.get(LE_LONG, off + 8), d.get(LE_LONG, off));
                return;
            }
            switch (encoding) {
                case 0 -> {
                    switch (bits) {
                        case 64 -> s.unsigned(d.get(LE_LONG, off));
                        case 32 -> s.unsigned(Integer.toUnsignedLong(d.get(LE_INT, off)));
                        case 16 -> s.unsigned(Short.toUnsignedLong(d.get(LE_SHORT, off)));
                        case 8 -> s.unsigned(Byte.toUnsignedLong(d.get(ValueLayout.JAVA_BYTE, off)));
                        default -> intBits(d, off, bitOff, s);
                    }
                }
                case Int.SIGNED -> {
                    switch (bits) {
                        case 64 -> s.signed(d.get(LE_LONG, off));
                        case 32 -> s.signed(d.get(LE_INT, off));
                        case 16 -> s.signed(d.get(LE_SHORT, off));
                        case 8 -> s.signed(d.get(ValueLayout.JAVA_BYTE, off));
                        default -> intBits(d, off, bitOff, s);
                    }
                }
                case Int.CHAR -> {
                    int c = d.get(ValueLayout.JAVA_BYTE, off) & 0xff;
                    if (c >= 0x20 && c < 0x7f) s.string(CHARS[c]);
                    else s.character(c);
                }
                case Int.BOOL -> s.bool(d.get(ValueLayout.JAVA_BYTE, off) != 0);
                default -> s.invalid("(unsupported-kind)");
            }
        }

        /** An INT with a bit offset of its own or a width that is not whole bytes: bpftool prints it in hex. */
        private void intBits(MemorySegment d, long off, int bitOff, ValueSink s) {
            int total = bitOff + intOffset;
            bitfield(d, off + (total >>> 3), total & 7, bits, s);
        }
    }

    /** {@code bits} bits (1..128) starting {@code bitOff} (0..7) bits into {@code off}, as hex. */
    private static void bitfield(MemorySegment d, long off, int bitOff, int bits, ValueSink s) {
        int bytes = Math.min(16, (bitOff + bits + 7) >>> 3);
        long lo = 0, hi = 0;
        for (int i = 0; i < bytes; i++) {
            long b = d.get(ValueLayout.JAVA_BYTE, off + i) & 0xffL;
            if (i < 8) lo |= b << (8 * i);
            else hi |= b << (8 * (i - 8));
        }
        if (bitOff > 0) {
            lo = (lo >>> bitOff) | (hi << (64 - bitOff));
            hi >>>= bitOff;
        }
        if (bits < 64) {
            lo &= (1L << bits) - 1;
            hi = 0;
        } else if (bits == 64) {
            hi = 0;
        } else if (bits < 128) {
            hi &= (1L << (bits - 64)) - 1;
        }
        s.bits(hi, lo);
    }

    private static final class StructNode extends Node {
        final String[] names;
        final long[] byteOff;
        final int[] bitInByte, bitfield;
        final Node[] types;

        StructNode(long size, String[] names, long[] byteOff, int[] bitInByte, int[] bitfield, Node[] types) {
            super(size);
            this.names = names;
            this.byteOff = byteOff;
            this.bitInByte = bitInByte;
            this.bitfield = bitfield;
            this.types = types;
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            s.beginObject();
            for (int i = 0; i < names.length; i++) {
                s.name(names[i]);
                if (bitfield[i] != 0) bitfield(d, off + byteOff[i], bitInByte[i], bitfield[i], s);
                else types[i].emit(d, off + byteOff[i], bitInByte[i], s);
            }
            s.endObject();
        }
    }

    private static final class ArrayNode extends Node {
        final Node elem;
        final long elemSize, nelems;
        final boolean chars;

        ArrayNode(Node elem, long elemSize, long nelems, boolean chars) {
            super(elemSize * nelems);
            this.elem = elem;
            this.elemSize = elemSize;
            this.nelems = nelems;
            this.chars = chars;
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            if (chars) {
                // A string when a NUL comes before the end and everything before it is printable ASCII.
                for (long i = 0; i < nelems; i++) {
                    int c = d.get(ValueLayout.JAVA_BYTE, off + i) & 0xff;
                    if (c == 0) {
                        s.string(new Ascii(d, off, (int) i));
                        return;
                    }
                    if (c <= 0x1f || c >= 0x7f) break;
                }
            }
            s.beginArray();
            for (long i = 0; i < nelems; i++) elem.emit(d, off + i * elemSize, 0, s);
            s.endArray();
        }
    }

    /** Printable ASCII bytes of a segment as a CharSequence, without copying them. */
    private record Ascii(MemorySegment d, long off, int length) implements CharSequence {
        @Override
        public char charAt(int index) {
            return (char) d.get(ValueLayout.JAVA_BYTE, off + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().substring(start, end);
        }

        @Override
        public String toString() {
            byte[] b = d.asSlice(off, length).toArray(ValueLayout.JAVA_BYTE);
            return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static final class EnumNode extends Node {
        final long[] values;
        final String[] names;
        final boolean enum64;

        EnumNode(int size, List<EnumValue> vs, boolean enum64) {
            super(Integer.toUnsignedLong(size));
            this.enum64 = enum64;
            values = new long[vs.size()];
            names = new String[vs.size()];
            for (int i = 0; i < vs.size(); i++) {
                // bpftool compares an ENUM's 32-bit value, sign-extended, with the value read
                // sign-extended from the enum's size; ENUM64 values are compared as 64 bits.
                values[i] = enum64 ? vs.get(i).value() : (int) vs.get(i).value();
                names[i] = vs.get(i).name();
            }
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            long v;
            switch ((int) size) {
                case 8 -> v = d.get(LE_LONG, off);
                case 4 -> v = d.get(LE_INT, off);
                case 2 -> v = d.get(LE_SHORT, off);
                case 1 -> v = d.get(ValueLayout.JAVA_BYTE, off);
                default -> {
                    s.invalid("(unsupported-kind)");
                    return;
                }
            }
            if (enum64 && size < 8) v &= (1L << (8 * size)) - 1;
            for (int i = 0; i < values.length; i++) {
                if (values[i] == v) {
                    s.string(names[i]);
                    return;
                }
            }
            s.signed(v);
        }
    }

    private static final class PtrNode extends Node {
        PtrNode() {
            super(Btf.POINTER_SIZE);
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            s.pointer(d.get(LE_LONG, off));
        }
    }

    private static final class FloatNode extends Node {
        FloatNode(int size) {
            super(Integer.toUnsignedLong(size));
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            if (size == 4) s.floating(d.get(LE_FLOAT, off));
            else if (size == 8) s.floating(d.get(LE_DOUBLE, off));
            else s.invalid("(unsupported-kind)");
        }
    }

    private static final class VarNode extends Node {
        final String name;
        final Node type;

        VarNode(String name, Node type) {
            super(type.size);
            this.name = name;
            this.type = type;
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            s.beginObject();
            s.name(name);
            type.emit(d, off, bitOff, s);
            s.endObject();
        }
    }

    private static final class DatasecNode extends Node {
        final String name;
        final long[] offs;
        final Node[] vars;

        DatasecNode(long size, String name, long[] offs, Node[] vars) {
            super(size);
            this.name = name;
            this.offs = offs;
            this.vars = vars;
        }

        @Override
        void emit(MemorySegment d, long off, int bitOff, ValueSink s) {
            s.beginObject();
            s.name(name);
            s.beginArray();
            for (int i = 0; i < vars.length; i++) vars[i].emit(d, off + offs[i], 0, s);
            s.endArray();
            s.endObject();
        }
    }
}
