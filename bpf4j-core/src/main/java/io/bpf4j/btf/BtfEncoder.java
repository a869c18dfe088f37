package io.bpf4j.btf;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Datasec;
import io.bpf4j.btf.BtfType.DeclTag;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Func;
import io.bpf4j.btf.BtfType.FuncProto;
import io.bpf4j.btf.BtfType.Fwd;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.Reference;
import io.bpf4j.btf.BtfType.TypeTag;
import io.bpf4j.btf.BtfType.Var;
import io.bpf4j.btf.BtfType.VarSecinfo;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes types and strings in the raw BTF layout of {@code linux/btf.h}. */
final class BtfEncoder {
    private BtfEncoder() {}

    /**
     * Re-encodes parsed BTF from its decoded types. The original string section is kept as is,
     * so names keep their offsets and vmlinux round-trips byte for byte.
     */
    static byte[] encode(Btf btf) {
        StringTable strings = StringTable.preloaded(btf.stringSection(), btf.stringBase(), baseStrings(btf.base()));
        return encode(btf.types(), strings, btf.flags());
    }

    static Map<String, Integer> baseStrings(Btf base) {
        if (base == null) return Map.of();
        Map<String, Integer> m = new HashMap<>(baseStrings(base.base()));
        StringTable.index(base.stringSection(), base.stringBase(), m);
        return m;
    }

    static byte[] encode(List<BtfType> types, StringTable strings, int flags) {
        Out t = new Out(types.size() * 24 + 64);
        for (BtfType type : types) encodeType(type, strings, t);
        byte[] str = strings.bytes();
        Out all = new Out(Btf.HEADER_LEN + t.len + str.length);
        all.u16(Btf.MAGIC);
        all.u8(1);
        all.u8(flags);
        all.i32(Btf.HEADER_LEN);
        all.i32(0);
        all.i32(t.len);
        all.i32(t.len);
        all.i32(str.length);
        all.bytes(t.buf, t.len);
        all.bytes(str, str.length);
        return Arrays.copyOf(all.buf, all.len);
    }

    private static void head(Out o, StringTable s, String name, BtfKind kind, int vlen, boolean kflag, int sizeOrType) {
        if (vlen < 0 || vlen > 0xffff) throw new BpfFormatException("BTF: " + kind.kernelName() + " '" + Escape.text(name) + "': vlen " + vlen + " exceeds 65535");
        o.i32(s.add(name));
        o.i32(kind.number() << 24 | vlen | (kflag ? 1 << 31 : 0));
        o.i32(sizeOrType);
    }

    private static void encodeType(BtfType type, StringTable s, Out o) {
        switch (type) {
            case BtfType.Void _ -> throw new BpfFormatException("BTF: void (id 0) is implicit and cannot be encoded");
            case Int i -> {
                head(o, s, i.name(), BtfKind.INT, 0, false, i.size());
                o.i32((i.encoding() & 0x0f) << 24 | (i.bitOffset() & 0xff) << 16 | (i.bits() & 0xff));
            }
            case Array a -> {
                head(o, s, a.name(), BtfKind.ARRAY, 0, false, 0);
                o.i32(a.elemType());
                o.i32(a.indexType());
                o.i32(a.nelems());
            }
            case Composite c -> {
                head(o, s, c.name(), c.kind(), c.members().size(), c.kindFlag(), c.size());
                for (Member m : c.members()) {
                    o.i32(s.add(m.name()));
                    o.i32(m.type());
                    o.i32(c.kindFlag() ? m.bitfieldSize() << 24 | (m.bitOffset() & 0xffffff) : m.bitOffset());
                }
            }
            case BtfType.Enum e -> {
                head(o, s, e.name(), BtfKind.ENUM, e.values().size(), e.signed(), e.size());
                for (EnumValue v : e.values()) {
                    o.i32(s.add(v.name()));
                    o.i32((int) v.value());
                }
            }
            case BtfType.Enum64 e -> {
                head(o, s, e.name(), BtfKind.ENUM64, e.values().size(), e.signed(), e.size());
                for (EnumValue v : e.values()) {
                    o.i32(s.add(v.name()));
                    o.i32((int) v.value());
                    o.i32((int) (v.value() >>> 32));
                }
            }
            case Fwd f -> head(o, s, f.name(), BtfKind.FWD, 0, f.union(), 0);
            case Func f -> head(o, s, f.name(), BtfKind.FUNC, f.linkage().number(), false, f.type());
            case FuncProto f -> {
                head(o, s, f.name(), BtfKind.FUNC_PROTO, f.params().size(), false, f.returnType());
                for (Param p : f.params()) {
                    o.i32(s.add(p.name()));
                    o.i32(p.type());
                }
            }
            case Var v -> {
                head(o, s, v.name(), BtfKind.VAR, 0, false, v.type());
                o.i32(v.linkage().number());
            }
            case Datasec d -> {
                head(o, s, d.name(), BtfKind.DATASEC, d.vars().size(), false, d.size());
                for (VarSecinfo v : d.vars()) {
                    o.i32(v.type());
                    o.i32(v.offset());
                    o.i32(v.size());
                }
            }
            case BtfType.Float f -> head(o, s, f.name(), BtfKind.FLOAT, 0, false, f.size());
            case DeclTag d -> {
                head(o, s, d.name(), BtfKind.DECL_TAG, 0, d.attribute(), d.type());
                o.i32(d.componentIdx());
            }
            case TypeTag t -> head(o, s, t.name(), BtfKind.TYPE_TAG, 0, t.attribute(), t.type());
            // PTR, TYPEDEF, VOLATILE, CONST, RESTRICT
            case Reference r -> head(o, s, r.name(), r.kind(), 0, false, r.type());
        }
    }

    /** A string section under construction: each distinct string once, offset 0 the empty string. */
    static final class StringTable {
        private final Map<String, Integer> offsets;
        private final Map<String, Integer> baseOffsets;
        private final int strBase;
        private byte[] buf;
        private int len;

        private StringTable(byte[] initial, int strBase, Map<String, Integer> baseOffsets) {
            this.buf = Arrays.copyOf(initial, Math.max(64, initial.length * 2));
            this.len = initial.length;
            this.strBase = strBase;
            this.baseOffsets = baseOffsets;
            this.offsets = new HashMap<>();
            index(initial, strBase, offsets);
        }

        /** An empty table (base BTF: starting with the empty string). */
        static StringTable create(int strBase, Map<String, Integer> baseOffsets) {
            return new StringTable(strBase == 0 ? new byte[1] : new byte[0], strBase, baseOffsets);
        }

        static StringTable preloaded(byte[] section, int strBase, Map<String, Integer> baseOffsets) {
            return new StringTable(section, strBase, baseOffsets);
        }

        static void index(byte[] section, int strBase, Map<String, Integer> into) {
            int start = 0;
            for (int i = 0; i < section.length; i++) {
                if (section[i] == 0) {
                    into.putIfAbsent(new String(section, start, i - start, StandardCharsets.UTF_8), strBase + start);
                    start = i + 1;
                }
            }
        }

        int add(String s) {
            if (s.isEmpty()) return 0;
            Integer off = baseOffsets.get(s);
            if (off == null) off = offsets.get(s);
            if (off != null) return off;
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            for (byte c : b) if (c == 0) throw new BpfFormatException("BTF: name contains NUL: " + s.replace('\0', '?'));
            if (buf.length < len + b.length + 1) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + b.length + 1));
            int o = strBase + len;
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            buf[len++] = 0;
            offsets.put(s, o);
            return o;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** A growable little-endian byte sink. */
    static final class Out {
        byte[] buf;
        int len;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int n) {
            if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }

        void u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[len++] = (byte) v;
            buf[len++] = (byte) (v >>> 8);
        }

        void i32(int v) {
            ensure(4);
            buf[len++] = (byte) v;
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 24);
        }

        void bytes(byte[] b, int n) {
            ensure(n);
            System.arraycopy(b, 0, buf, len, n);
            len += n;
        }
    }
}
