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
 *   <li>clang describes {@code extern ... __ksym} declarations as extern FUNCs and VARs in a
 *       {@code .ksyms} DATASEC, which no kernel loads ("Invalid func linkage"); they are made
 *       global and given 4-byte slots, as libbpf's {@code bpf_object__collect_externs} does;</li>
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
     * Variables are then ordered by offset, which the kernel requires. Returns the DATASECs' ids
     * by name; only DATASECs and their VARs are decoded.
     */
    static Map<String, Integer> fixDatasecs(byte[] d, Btf btf, Map<String, Long> sectionSizes, SymbolLookup symbolValue) {
        int[] offs = typeOffsets(d);
        Map<String, Integer> ids = new java.util.HashMap<>();
        for (int id = 1; id <= offs.length; id++) {
            if (((i32(d, offs[id - 1] + 4) >>> 24) & 0x1f) != BtfKind.DATASEC.number()) continue;
            if (!(btf.typeById(id) instanceof BtfType.Datasec ds)) continue;
            ids.putIfAbsent(ds.name(), id);
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
        return ids;
    }

    /**
     * A copy of {@code d} whose {@code .ksyms} DATASEC the kernel accepts, or {@code d} itself when
     * it has none: each extern FUNC becomes a global one (its unnamed parameters named) and its
     * DATASEC entry points at an appended 4-byte VAR {@code dummy_ksym}; each extern VAR becomes
     * a global int; entries get consecutive 4-byte slots. Appended types and the one appended
     * string come after everything else, so no type id and no string offset moves.
     */
    static byte[] fixKsyms(byte[] d) {
        int[] offs = typeOffsets(d);
        int hdr = i32(d, 4);
        int strStart = hdr + i32(d, 16);
        int ksyms = -1, int4 = 0;
        for (int i = 0; i < offs.length; i++) {
            int p = offs[i], kind = (i32(d, p + 4) >>> 24) & 0x1f;
            if (kind == BtfKind.DATASEC.number() && ".ksyms".equals(cString(d, strStart, i32(d, p)))) ksyms = i;
            if (int4 == 0 && kind == BtfKind.INT.number() && i32(d, p + 8) == 4) int4 = i + 1;
        }
        if (ksyms < 0) return d;
        int typeEnd = hdr + i32(d, 8) + i32(d, 12), strLen = i32(d, 20);
        byte[] name = "dummy_ksym\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int added = (int4 == 0 ? 16 : 0) + 16;
        byte[] out = new byte[d.length + added + name.length];
        System.arraycopy(d, 0, out, 0, typeEnd);
        System.arraycopy(d, typeEnd, out, typeEnd + added, d.length - typeEnd);
        System.arraycopy(name, 0, out, typeEnd + added + strLen, name.length);
        int at = typeEnd, next = offs.length + 1;
        if (int4 == 0) {
            int4 = next++;
            put(out, at, 0);
            put(out, at + 4, BtfKind.INT.number() << 24);
            put(out, at + 8, 4);
            put(out, at + 12, 0x01000020); // signed, 32 bits at offset 0
            at += 16;
        }
        int dummyVar = next, dummyName = strLen;
        put(out, at, dummyName);
        put(out, at + 4, BtfKind.VAR.number() << 24);
        put(out, at + 8, int4);
        put(out, at + 12, 1); // BTF_VAR_GLOBAL_ALLOCATED
        put(out, 12, i32(d, 12) + added);           // type_len
        put(out, 16, i32(d, 16) + added);           // str_off
        put(out, 20, strLen + name.length);        // str_len
        int ds = offs[ksyms], vlen = i32(out, ds + 4) & 0xffff;
        for (int i = 0; i < vlen; i++) {
            int vs = ds + 12 + i * 12, type = i32(out, vs);
            if (type < 1 || type > offs.length) throw new BpfFormatException("BTF: .ksyms entry " + i + " refers to type " + type);
            int t = offs[type - 1], info = i32(out, t + 4), kind = (info >>> 24) & 0x1f;
            if (kind == BtfKind.FUNC.number()) {
                int proto = i32(out, t + 8);
                if (proto >= 1 && proto <= offs.length) {
                    int pp = offs[proto - 1], pinfo = i32(out, pp + 4);
                    if (((pinfo >>> 24) & 0x1f) == BtfKind.FUNC_PROTO.number()) {
                        for (int j = 0; j < (pinfo & 0xffff); j++) {
                            int param = pp + 12 + j * 8;
                            if (i32(out, param) == 0 && i32(out, param + 4) != 0) put(out, param, dummyName);
                        }
                    }
                }
                put(out, t + 4, (info & ~0xffff) | 1); // BTF_FUNC_GLOBAL
                put(out, vs, dummyVar);
            } else if (kind == BtfKind.VAR.number()) {
                put(out, t + 8, int4);
                put(out, t + 12, 1);
            } else {
                throw new BpfFormatException("BTF: .ksyms entry " + i + " is a " + BtfKind.ofNumber(kind).kernelName());
            }
            put(out, vs + 4, 4 * i);
            put(out, vs + 8, 4);
        }
        put(out, ds + 8, 4 * vlen);
        return out;
    }

    private static String cString(byte[] d, int strStart, int off) {
        int p = strStart + off, e = p;
        if (p < 0 || p >= d.length) return "";
        while (e < d.length && d[e] != 0) e++;
        return new String(d, p, e - p, java.nio.charset.StandardCharsets.UTF_8);
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
