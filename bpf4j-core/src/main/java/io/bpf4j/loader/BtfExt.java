package io.bpf4j.loader;

import io.bpf4j.BpfFormatException;
import io.bpf4j.FuncInfo;
import io.bpf4j.LineInfo;
import io.bpf4j.Escape;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.core.CoreRelo;

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
    private static final Section EMPTY = new Section();
    private final Map<String, Section> sections = new HashMap<>();

    private BtfExt() {}

    static BtfExt empty() {
        return new BtfExt();
    }

    /** One ELF section's records. */
    static final class Section {
        private final Records<FuncInfo> funcs = new Records<>(FuncInfo::insnOff);
        private final Records<LineInfo> lines = new Records<>(LineInfo::insnOff);
        private final Records<CoreRelo> relos = new Records<>(CoreRelo::insn);
    }

    /** One function's records where one program placed it. */
    private record Part(FuncInfo[] funcs, LineInfo[] lines, CoreRelo[] relos) {}

    /** Parts already moved in this object, by section, function start and new start. */
    private final Map<Long, Part> parts = new HashMap<>();

    /**
     * The records of slots [start, start + length) of {@code sec}, moved by newStart - start.
     * The subprograms of an object usually land at the same place in many of its programs; those
     * moves are made once.
     */
    private Part part(Section sec, int sectionIndex, int start, int length, int newStart) {
        // Long.hashCode folds the high word onto the low one, so these packed keys collided into
        // a few buckets (tree bins); an odd multiplier spreads them and keeps them distinct.
        long key = (((long) sectionIndex << 42) ^ ((long) start << 21) ^ newStart) * 0x9E3779B97F4A7C15L;
        Part cached = parts.get(key);
        if (cached != null && sectionIndex < 1 << 21 && start < 1 << 21 && newStart < 1 << 21) return cached;
        int end = start + length, d = newStart - start;
        Records<FuncInfo> fr = sec.funcs;
        FuncInfo[] f = new FuncInfo[fr.count(start, end)];
        for (int i = 0, k = fr.lowerBound(start); i < f.length; i++, k++) {
            FuncInfo x = fr.get(k);
            f[i] = d == 0 ? x : new FuncInfo(x.insnOff() + d, x.typeId());
        }
        Records<LineInfo> lr = sec.lines;
        LineInfo[] l = new LineInfo[lr.count(start, end)];
        for (int i = 0, k = lr.lowerBound(start); i < l.length; i++, k++) {
            LineInfo x = lr.get(k);
            l[i] = d == 0 ? x : new LineInfo(x.insnOff() + d, x.fileNameOff(), x.lineOff(), x.lineCol());
        }
        Records<CoreRelo> cr = sec.relos;
        CoreRelo[] c = new CoreRelo[cr.count(start, end)];
        for (int i = 0, k = cr.lowerBound(start); i < c.length; i++, k++) {
            CoreRelo x = cr.get(k);
            c[i] = d == 0 ? x : x.withInsn(x.insn() + d);
        }
        Part p = new Part(f, l, c);
        if (sectionIndex < 1 << 21 && start < 1 << 21 && newStart < 1 << 21) parts.put(key, p);
        return p;
    }

    /** A program's func_info, line_info and CO-RE records, gathered from the functions it is linked from. */
    record Program(List<FuncInfo> funcInfo, List<LineInfo> lineInfo, List<CoreRelo> coreRelos) {}

    /**
     * The records of the functions a program is linked from, each moved to where its function
     * landed: of part i, section {@code sectionIndex[i]}'s records of slots
     * [start[i], start[i] + length[i]), moved by newStart[i] - start[i].
     */
    Program program(Section[] sections, int[] sectionIndex, int[] start, int[] length, int[] newStart) {
        int n = sections.length;
        Part[] ps = new Part[n];
        int nf = 0, nl = 0, nc = 0;
        for (int i = 0; i < n; i++) {
            ps[i] = part(sections[i], sectionIndex[i], start[i], length[i], newStart[i]);
            nf += ps[i].funcs.length;
            nl += ps[i].lines.length;
            nc += ps[i].relos.length;
        }
        if (n == 1) return new Program(List.of(ps[0].funcs), List.of(ps[0].lines), List.of(ps[0].relos));
        FuncInfo[] f = new FuncInfo[nf];
        LineInfo[] l = new LineInfo[nl];
        CoreRelo[] c = new CoreRelo[nc];
        nf = nl = nc = 0;
        for (Part p : ps) {
            System.arraycopy(p.funcs, 0, f, nf, p.funcs.length);
            nf += p.funcs.length;
            System.arraycopy(p.lines, 0, l, nl, p.lines.length);
            nl += p.lines.length;
            System.arraycopy(p.relos, 0, c, nc, p.relos.length);
            nc += p.relos.length;
        }
        return new Program(List.of(f), List.of(l), List.of(c));
    }

    /** The records of an ELF section (none when it has none). */
    Section section(String name) {
        return sections.getOrDefault(name, EMPTY);
    }

    /** One section's records of one kind, sorted by slot, with the slots beside them for searching. */
    private static final class Records<T> {
        private final ToIntFunction<T> slotOf;
        private Object[] items = new Object[8];
        private int[] slots = new int[8];
        private int size;
        private boolean sorted = true;

        Records(ToIntFunction<T> slotOf) {
            this.slotOf = slotOf;
        }

        void add(T t) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
                slots = Arrays.copyOf(slots, size * 2);
            }
            int slot = slotOf.applyAsInt(t);
            if (size > 0 && slots[size - 1] > slot) sorted = false;
            slots[size] = slot;
            items[size++] = t;
        }

        @SuppressWarnings("unchecked")
        void sort() {
            if (sorted) return;
            Object[] byslot = Arrays.copyOf(items, size);
            Arrays.sort((T[]) byslot, Comparator.comparingInt(slotOf));
            for (int i = 0; i < size; i++) {
                items[i] = byslot[i];
                slots[i] = slotOf.applyAsInt((T) byslot[i]);
            }
            sorted = true;
        }

        int slot(int i) {
            return slots[i];
        }

        /** Index of the first record at a slot >= {@code from}. */
        int lowerBound(int from) {
            int lo = 0, hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (slots[mid] < from) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        /** Records at slots in [from, to). */
        int count(int from, int to) {
            return lowerBound(to) - lowerBound(from);
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
        x.parse(d, hdrLen, u32(d, 8), u32(d, 12), 8, btf, "func_info", (sec, p, insn) ->
                sec.funcs.add(new FuncInfo(insn, (int) u32(d, p + 4))));
        x.parse(d, hdrLen, u32(d, 16), u32(d, 20), 16, btf, "line_info", (sec, p, insn) ->
                sec.lines.add(new LineInfo(insn, (int) u32(d, p + 4), (int) u32(d, p + 8), (int) u32(d, p + 12))));
        if (hdrLen >= 32) {
            // Relocations repeat a few access strings ("0:1"...): read each once.
            Map<Integer, String> accesses = new HashMap<>();
            x.parse(d, hdrLen, u32(d, 24), u32(d, 28), 16, btf, "core_relo", (sec, p, insn) -> {
                int kind = (int) u32(d, p + 12);
                String access = accesses.computeIfAbsent((int) u32(d, p + 8), btf::string);
                sec.relos.add(new CoreRelo(insn, (int) u32(d, p + 4), access, CoreRelo.Kind.of(kind)));
            });
        }
        for (Section s : x.sections.values()) {
            s.funcs.sort();
            s.lines.sort();
            s.relos.sort();
        }
        return x;
    }

    private interface Rec {
        void accept(Section section, int pos, int insn);
    }

    private void parse(byte[] d, long hdrLen, long off, long len, int minRec, Btf btf, String what, Rec rec) {
        if (len == 0) return;
        long start = hdrLen + off, end = start + len;
        if (start < hdrLen || end > d.length) throw bad(what + " [" + start + ", +" + len + ") outside " + d.length + " bytes");
        if (len < 4) throw bad(what + " too short");
        long recSize = u32(d, (int) start);
        if (recSize < minRec || recSize > 1024) throw bad(what + " record size " + recSize + " unsupported (want >= " + minRec + ")");
        int p = (int) start + 4;
        while (p < end) {
            if (end - p < 8) throw bad(what + ": truncated section header at " + p);
            String name;
            try {
                name = btf.string((int) u32(d, p));
            } catch (RuntimeException e) {
                throw bad(what + ": bad section name offset " + u32(d, p));
            }
            Section sec = sections.computeIfAbsent(name, k -> new Section());
            long n = u32(d, p + 4);
            p += 8;
            if (n > (end - p) / recSize) throw bad(what + " for " + Escape.text(name) + ": " + n + " records of " + recSize + " bytes overrun the section");
            for (int i = 0; i < n; i++, p += (int) recSize) {
                long insnOff = u32(d, p);
                if (insnOff % 8 != 0) throw bad(what + " for " + name + ": instruction offset " + insnOff + " not a multiple of 8");
                rec.accept(sec, p, (int) (insnOff / 8));
            }
        }
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
