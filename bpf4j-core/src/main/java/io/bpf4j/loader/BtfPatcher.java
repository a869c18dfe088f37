package io.bpf4j.loader;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;

import java.util.Arrays;
import java.util.Map;

/**
 * In-place edits of raw object BTF, done on the bytes so that string offsets (which
 * {@code .BTF.ext} line info and CO-RE records point at) never move:
 * <ul>
 *   <li>clang leaves DATASEC sizes and variable offsets 0; they are filled from the ELF section
 *       sizes and symbol values, as libbpf's {@code btf_fixup_datasec} does;</li>
 *   <li>kinds an older kernel rejects are rewritten into ones it knows, as libbpf's
 *       {@code bpf_object__sanitize_btf} does, so one object loads on 5.10 and 7.x.</li>
 * </ul>
 */
final class BtfPatcher {
    private BtfPatcher() {}

    /** The byte offset of each type's header (index 0 is type id 1), for well-formed BTF. */
    static int[] typeOffsets(byte[] d) {
        int hdr = i32(d, 4);
        int start = hdr + i32(d, 8), end = start + i32(d, 12);
        int[] offs = new int[16];
        int n = 0;
        for (int p = start; p < end; ) {
            if (n == offs.length) offs = Arrays.copyOf(offs, n * 2);
            offs[n++] = p;
            int info = i32(d, p + 4), vlen = info & 0xffff;
            p += 12 + switch ((info >>> 24) & 0x1f) {
                case 1, 14, 17 -> 4;
                case 3 -> 12;
                case 4, 5, 15, 19 -> vlen * 12;
                case 6, 13 -> vlen * 8;
                default -> 0;
            };
        }
        return Arrays.copyOf(offs, n);
    }

    /**
     * Fills each DATASEC's size and its variables' offsets. {@code sectionSizes} maps ELF section
     * names to sizes; {@code symbolValue} finds a variable's offset by (section, name), or -1.
     * Variables are then ordered by offset, which the kernel requires.
     */
    static void fixDatasecs(byte[] d, Btf btf, Map<String, Long> sectionSizes, SymbolLookup symbolValue) {
        int[] offs = typeOffsets(d);
        for (int id = 1; id <= offs.length; id++) {
            if (!(btf.typeById(id) instanceof BtfType.Datasec ds)) continue;
            Long size = sectionSizes.get(ds.name());
            int p = offs[id - 1];
            if (size != null) put(d, p + 8, size.intValue());
            int n = ds.vars().size();
            long[] sorted = new long[n];
            for (int i = 0; i < n; i++) {
                BtfType.VarSecinfo v = ds.vars().get(i);
                int off = v.offset();
                if (btf.typeById(v.type()) instanceof BtfType.Var var) {
                    long sv = symbolValue.value(ds.name(), var.name());
                    if (sv >= 0) off = (int) sv;
                }
                // Sort key: offset in the high bits, the original index in the low ones.
                sorted[i] = ((long) off << 20) | i;
            }
            Arrays.sort(sorted);
            int[][] recs = new int[n][];
            for (int i = 0; i < n; i++) {
                int orig = (int) (sorted[i] & 0xfffff);
                BtfType.VarSecinfo v = ds.vars().get(orig);
                recs[i] = new int[] {v.type(), (int) (sorted[i] >>> 20), v.size()};
            }
            for (int i = 0; i < n; i++) {
                int q = p + 12 + i * 12;
                put(d, q, recs[i][0]);
                put(d, q + 4, recs[i][1]);
                put(d, q + 8, recs[i][2]);
            }
        }
    }

    interface SymbolLookup {
        long value(String section, String name);
    }

    /** Which BTF kinds and flags the running kernel accepts. */
    record KernelBtf(boolean float_, boolean declTag, boolean typeTag, boolean enum64) {
        static final KernelBtf ALL = new KernelBtf(true, true, true, true);
    }

    /**
     * A copy of {@code d} with kinds the kernel lacks replaced (and one INT appended when ENUM64
     * needs a member type), or {@code d} itself when nothing needs changing.
     */
    static byte[] sanitize(byte[] d, KernelBtf k) {
        if (k.equals(KernelBtf.ALL)) return d;
        int[] offs = typeOffsets(d);
        boolean needs = false;
        for (int p : offs) {
            int kind = (i32(d, p + 4) >>> 24) & 0x1f;
            if ((kind == BtfKind.FLOAT.number() && !k.float_) || (kind == BtfKind.DECL_TAG.number() && !k.declTag)
                    || (kind == BtfKind.TYPE_TAG.number() && !k.typeTag) || (!k.enum64 && (kind == BtfKind.ENUM64.number()
                    || (kind == BtfKind.ENUM.number() && (i32(d, p + 4) & 0x80000000) != 0)))) needs = true;
        }
        if (!needs) return d;
        int hdr = i32(d, 4);
        int typeEnd = hdr + i32(d, 8) + i32(d, 12);
        // Room for one extra INT (16 bytes) at the end of the type section.
        byte[] out = new byte[d.length + 16];
        System.arraycopy(d, 0, out, 0, typeEnd);
        System.arraycopy(d, typeEnd, out, typeEnd + 16, d.length - typeEnd);
        int placeholder = offs.length + 1;
        boolean usedPlaceholder = false;
        for (int p : offs) {
            int info = i32(out, p + 4);
            int kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
            if (kind == BtfKind.FLOAT.number() && !k.float_) {
                put(out, p + 4, BtfKind.STRUCT.number() << 24); // same size, no members
            } else if (kind == BtfKind.DECL_TAG.number() && !k.declTag) {
                put(out, p, 0);
                put(out, p + 4, BtfKind.INT.number() << 24);
                put(out, p + 8, 1);
                put(out, p + 12, 8); // an anonymous 1-byte int: nothing refers to a decl tag
            } else if (kind == BtfKind.TYPE_TAG.number() && !k.typeTag) {
                put(out, p, 0);
                put(out, p + 4, BtfKind.CONST.number() << 24);
            } else if (kind == BtfKind.ENUM.number() && !k.enum64) {
                put(out, p + 4, info & 0x7fffffff); // the signedness kind_flag came with ENUM64 (6.0)
            } else if (kind == BtfKind.ENUM64.number() && !k.enum64) {
                put(out, p + 4, (BtfKind.UNION.number() << 24) | vlen);
                put(out, p + 8, 4);
                for (int i = 0; i < vlen; i++) {
                    int q = p + 12 + i * 12;
                    put(out, q + 4, placeholder);
                    put(out, q + 8, 0);
                }
                usedPlaceholder = true;
            }
        }
        if (!usedPlaceholder) {
            byte[] exact = new byte[d.length];
            System.arraycopy(out, 0, exact, 0, typeEnd);
            System.arraycopy(out, typeEnd + 16, exact, typeEnd, d.length - typeEnd);
            return exact;
        }
        put(out, typeEnd, 0);
        put(out, typeEnd + 4, BtfKind.INT.number() << 24);
        put(out, typeEnd + 8, 4);
        put(out, typeEnd + 12, 32);
        put(out, 12, i32(d, 12) + 16);        // type_len
        put(out, 16, i32(d, 16) + 16);        // str_off moves with the inserted type
        return out;
    }

    static int i32(byte[] d, int p) {
        if (p < 0 || p + 4 > d.length) throw new BpfFormatException("BTF: offset " + p + " outside " + d.length + " bytes");
        return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24;
    }

    static void put(byte[] d, int p, int v) {
        d[p] = (byte) v;
        d[p + 1] = (byte) (v >>> 8);
        d[p + 2] = (byte) (v >>> 16);
        d[p + 3] = (byte) (v >>> 24);
    }
}
