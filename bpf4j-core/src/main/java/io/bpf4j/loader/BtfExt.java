package io.bpf4j.loader;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.core.CoreRelo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .BTF.ext} section: per ELF section, func_info, line_info and CO-RE relocation
 * records. Instruction offsets are converted from the file's bytes to instruction indices
 * within the section; names are read from the object's {@code .BTF} strings.
 */
public final class BtfExt {
    /** A BTF function at an instruction of a section. */
    public record FuncInfo(int insn, int typeId) {}

    /** Source position of an instruction: file and line text are offsets in the BTF strings. */
    public record LineInfo(int insn, int fileNameOff, int lineOff, int lineCol) {}

    private final Map<String, List<FuncInfo>> funcs = new HashMap<>();
    private final Map<String, List<LineInfo>> lines = new HashMap<>();
    private final Map<String, List<CoreRelo>> relos = new HashMap<>();

    private BtfExt() {}

    public static BtfExt empty() {
        return new BtfExt();
    }

    public static BtfExt parse(byte[] d, Btf btf) {
        BtfExt x = new BtfExt();
        if (d.length < 8) throw bad("header truncated: " + d.length + " bytes");
        if (u16(d, 0) != 0xeB9F) throw bad(String.format("bad magic 0x%04x", u16(d, 0)));
        if (d[2] != 1) throw bad("unsupported version " + d[2]);
        long hdrLen = u32(d, 4);
        if (hdrLen < 24 || hdrLen > d.length) throw bad("header length " + hdrLen + " out of range");
        x.section(d, hdrLen, u32(d, 8), u32(d, 12), 8, btf, "func_info", (sec, p, insn) ->
                x.funcs.computeIfAbsent(sec, k -> new ArrayList<>()).add(new FuncInfo(insn, (int) u32(d, p + 4))));
        x.section(d, hdrLen, u32(d, 16), u32(d, 20), 16, btf, "line_info", (sec, p, insn) ->
                x.lines.computeIfAbsent(sec, k -> new ArrayList<>()).add(new LineInfo(insn, (int) u32(d, p + 4),
                        (int) u32(d, p + 8), (int) u32(d, p + 12))));
        if (hdrLen >= 32) {
            x.section(d, hdrLen, u32(d, 24), u32(d, 28), 16, btf, "core_relo", (sec, p, insn) -> {
                int kind = (int) u32(d, p + 12);
                String access = btf.string((int) u32(d, p + 8));
                x.relos.computeIfAbsent(sec, k -> new ArrayList<>()).add(
                        new CoreRelo(insn, (int) u32(d, p + 4), access, CoreRelo.Kind.of(kind)));
            });
        }
        return x;
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
            if (n > (end - p) / recSize) throw bad(what + " for " + Escape.text(sec) + ": " + n + " records of " + recSize + " bytes overrun the section");
            for (int i = 0; i < n; i++, p += (int) recSize) {
                long insnOff = u32(d, p);
                if (insnOff % 8 != 0) throw bad(what + " for " + Escape.text(sec) + ": instruction offset " + insnOff + " not a multiple of 8");
                rec.accept(sec, p, (int) (insnOff / 8));
            }
        }
    }

    public List<FuncInfo> funcInfo(String section) {
        return funcs.getOrDefault(section, List.of());
    }

    public List<LineInfo> lineInfo(String section) {
        return lines.getOrDefault(section, List.of());
    }

    public List<CoreRelo> coreRelos(String section) {
        return relos.getOrDefault(section, List.of());
    }

    /** Sections that have CO-RE relocations. */
    public Map<String, List<CoreRelo>> allCoreRelos() {
        return relos;
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
