package io.bpf4j.loader;

import io.bpf4j.BpfFormatException;
import io.bpf4j.FuncInfo;
import io.bpf4j.LineInfo;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.core.CoreRelo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The {@code .BTF.ext} section: per ELF section, func_info, line_info and CO-RE relocation
 * records. Instruction offsets are converted from the file's bytes to instruction slots within
 * the section, and each section's records are kept sorted by slot, so that the records of one
 * function are found by binary search when its program is linked.
 */
final class BtfExt {
    private final Map<String, Records<FuncInfo>> funcs = new HashMap<>();
    private final Map<String, Records<LineInfo>> lines = new HashMap<>();
    private final Map<String, Records<CoreRelo>> relos = new HashMap<>();

    private BtfExt() {}

    static BtfExt empty() {
        return new BtfExt();
    }

    /** One section's records of one kind, sorted by slot. */
    private static final class Records<T> {
        private final ToIntFunction<T> slot;
        private Object[] items = new Object[8];
        private int size;
        private boolean sorted = true;

        Records(ToIntFunction<T> slot) {
            this.slot = slot;
        }

        @SuppressWarnings("unchecked")
        void add(T t) {
            if (size == items.length) items = Arrays.copyOf(items, size * 2);
            if (size > 0 && slot.applyAsInt((T) items[size - 1]) > slot.applyAsInt(t)) sorted = false;
            items[size++] = t;
        }

        @SuppressWarnings("unchecked")
        void sort() {
            if (sorted) return;
            Arrays.sort((T[]) items, 0, size, Comparator.comparingInt(slot));
            sorted = true;
        }

        /** Index of the first record at a slot >= {@code from}. */
        @SuppressWarnings("unchecked")
        int lowerBound(int from) {
            int lo = 0, hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (slot.applyAsInt((T) items[mid]) < from) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        @SuppressWarnings("unchecked")
        T get(int i) {
            return (T) items[i];
        }
    }

    static BtfExt parse(byte[] d, Btf btf) {
        BtfExt x = new BtfExt();
        if (d.length < 8) throw bad("header truncated: " + d.length + " bytes");
        if (u16(d, 0) != 0xeB9F) throw bad(String.format("bad magic 0x%04x", u16(d, 0)));
        if (d[2] != 1) throw bad("unsupported version " + d[2]);
        long hdrLen = u32(d, 4);
        if (hdrLen < 24 || hdrLen > d.length) throw bad("header length " + hdrLen + " out of range");
        x.section(d, hdrLen, u32(d, 8), u32(d, 12), 8, btf, "func_info", (sec, p, insn) ->
                records(x.funcs, sec, FuncInfo::insnOff).add(new FuncInfo(insn, (int) u32(d, p + 4))));
        x.section(d, hdrLen, u32(d, 16), u32(d, 20), 16, btf, "line_info", (sec, p, insn) ->
                records(x.lines, sec, LineInfo::insnOff).add(new LineInfo(insn, (int) u32(d, p + 4),
                        (int) u32(d, p + 8), (int) u32(d, p + 12))));
        if (hdrLen >= 32) {
            x.section(d, hdrLen, u32(d, 24), u32(d, 28), 16, btf, "core_relo", (sec, p, insn) -> {
                int kind = (int) u32(d, p + 12);
                String access = btf.string((int) u32(d, p + 8));
                records(x.relos, sec, CoreRelo::insn).add(new CoreRelo(insn, (int) u32(d, p + 4), access, CoreRelo.Kind.of(kind)));
            });
        }
        x.funcs.values().forEach(Records::sort);
        x.lines.values().forEach(Records::sort);
        x.relos.values().forEach(Records::sort);
        return x;
    }

    private static <T> Records<T> records(Map<String, Records<T>> m, String section, ToIntFunction<T> slot) {
        Records<T> r = m.get(section);
        if (r == null) m.put(section, r = new Records<>(slot));
        return r;
    }

    private interface Rec {
        void accept(String section, int pos, int insn);
    }

    private void section(byte[] d, long hdrLen, long off, long len, int minRec, Btf btf, String what, Rec rec) {
        if (len == 0) return;
        long start = hdrLen + off, end = start + len;
        if (start < hdrLen || end > d.length) throw bad(what + " [" + start + ", +" + len + ") outside " + d.length + " bytes");
        if (len < 4) throw bad(what + " too short");
        long recSize = u32(d, (int) start);
        if (recSize < minRec || recSize > 1024) throw bad(what + " record size " + recSize + " unsupported (want >= " + minRec + ")");
        int p = (int) start + 4;
        while (p < end) {
            if (end - p < 8) throw bad(what + ": truncated section header at " + p);
            String sec;
            try {
                sec = btf.string((int) u32(d, p));
            } catch (RuntimeException e) {
                throw bad(what + ": bad section name offset " + u32(d, p));
            }
            long n = u32(d, p + 4);
            p += 8;
            if (n > (end - p) / recSize) throw bad(what + " for " + sec + ": " + n + " records of " + recSize + " bytes overrun the section");
            for (int i = 0; i < n; i++, p += (int) recSize) {
                long insnOff = u32(d, p);
                if (insnOff % 8 != 0) throw bad(what + " for " + sec + ": instruction offset " + insnOff + " not a multiple of 8");
                rec.accept(sec, p, (int) (insnOff / 8));
            }
        }
    }

    /** Appends the func_info of slots [from, to) of {@code section}, moved by {@code delta} slots. */
    void funcInfo(String section, int from, int to, int delta, List<FuncInfo> out) {
        Records<FuncInfo> r = funcs.get(section);
        if (r == null) return;
        for (int i = r.lowerBound(from); i < r.size; i++) {
            FuncInfo f = r.get(i);
            if (f.insnOff() >= to) break;
            out.add(delta == 0 ? f : new FuncInfo(f.insnOff() + delta, f.typeId()));
        }
    }

    /** Appends the line_info of slots [from, to) of {@code section}, moved by {@code delta} slots. */
    void lineInfo(String section, int from, int to, int delta, List<LineInfo> out) {
        Records<LineInfo> r = lines.get(section);
        if (r == null) return;
        for (int i = r.lowerBound(from); i < r.size; i++) {
            LineInfo l = r.get(i);
            if (l.insnOff() >= to) break;
            out.add(delta == 0 ? l : new LineInfo(l.insnOff() + delta, l.fileNameOff(), l.lineOff(), l.lineCol()));
        }
    }

    /** Appends the CO-RE relocations of slots [from, to) of {@code section}, moved by {@code delta} slots. */
    void coreRelos(String section, int from, int to, int delta, List<CoreRelo> out) {
        Records<CoreRelo> r = relos.get(section);
        if (r == null) return;
        for (int i = r.lowerBound(from); i < r.size; i++) {
            CoreRelo c = r.get(i);
            if (c.insn() >= to) break;
            out.add(delta == 0 ? c : c.withInsn(c.insn() + delta));
        }
    }

    /** Every record of a section, for tests. */
    List<FuncInfo> funcInfo(String section) {
        List<FuncInfo> out = new ArrayList<>();
        funcInfo(section, 0, Integer.MAX_VALUE, 0, out);
        return out;
    }

    private static int u16(byte[] d, int p) {
        return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8;
    }

    private static long u32(byte[] d, int p) {
        return ((d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24) & 0xffffffffL;
    }

    private static BpfFormatException bad(String m) {
        return new BpfFormatException("BTF.ext: " + m);
    }
}
