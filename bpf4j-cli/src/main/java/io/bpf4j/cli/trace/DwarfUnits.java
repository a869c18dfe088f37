package io.bpf4j.cli.trace;

import io.bpf4j.BpfFormatException;
import io.bpf4j.elf.ElfFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The source file of each address range of a vmlinux with DWARF, for {@code trace}'s
 * source-path globs ({@code :kernel/bpf/*.c}, as retsnoop takes them): {@code .debug_aranges}
 * gives each compile unit's address ranges, and the unit's first DIE in {@code .debug_info} its
 * name ({@code DW_AT_name}, the path the compiler was given). Reads the aranges, the abbreviation
 * tables and one DIE per unit, not the hundreds of MB of {@code .debug_info}. DWARF 2 to 5,
 * 32-bit format; a unit named through {@code .debug_str_offsets} (strx) has no name here.
 */
final class DwarfUnits {
    private final long[] starts, ends;
    private final String[] names;

    private DwarfUnits(long[] starts, long[] ends, String[] names) {
        this.starts = starts;
        this.ends = ends;
        this.names = names;
    }

    /** The compile unit (its source path) whose code holds link-time address {@code addr}, or null. */
    String unitOf(long addr) {
        int lo = 0, hi = starts.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], addr) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && Long.compareUnsigned(addr, ends[found]) < 0 ? names[found] : null;
    }

    /** Address ranges known. */
    int size() {
        return starts.length;
    }

    static DwarfUnits read(Path elf) {
        try (ElfFile file = ElfFile.open(elf)) {
            return read(file, elf);
        }
    }

    /** The units of an ELF file already open ({@code elf} names it in errors). */
    static DwarfUnits read(ElfFile file, Path elf) {
        long[] ar = section(file, ".debug_aranges"), info = section(file, ".debug_info"), abbrev = section(file, ".debug_abbrev");
        if (ar == null || info == null || abbrev == null)
            throw new BpfFormatException(elf + ": no DWARF compile unit ranges (.debug_aranges, .debug_info, .debug_abbrev)");
        ByteBuffer aranges = read(file, ar[0], (int) ar[1], elf);
        // The abbreviation tables whole (a few MB): one read, not one per unit.
        ByteBuffer abbrevs0 = read(file, abbrev[0], (int) abbrev[1], elf);
        long[] str = section(file, ".debug_str"), lineStr = section(file, ".debug_line_str");
        Map<Long, String> unitNames = new HashMap<>();
        Map<Long, Map<Long, long[]>> abbrevs = new HashMap<>();
        List<long[]> ranges = new ArrayList<>();
        List<String> rangeNames = new ArrayList<>();
        int p = 0;
        while (p + 16 <= aranges.limit()) {
            long len = Integer.toUnsignedLong(aranges.getInt(p));
            if (len == 0xffffffffL) throw new BpfFormatException(elf + ": 64-bit DWARF aranges are not supported");
            int end = p + 4 + (int) len;
            if (end > aranges.limit() || len < 12) break;
            long cu = Integer.toUnsignedLong(aranges.getInt(p + 6));
            int addrSize = aranges.get(p + 10);
            if (addrSize != 8) throw new BpfFormatException(elf + ": aranges address size " + addrSize);
            int q = p + 12;
            q = (q + 15) & ~15; // tuples start at a multiple of twice the address size
            String name = unitNames.computeIfAbsent(cu, off -> unitName(file, elf, info, abbrevs0, str, lineStr, off, abbrevs));
            for (; q + 16 <= end; q += 16) {
                long a = aranges.getLong(q), n = aranges.getLong(q + 8);
                if (a == 0 && n == 0) break;
                if (name != null && n > 0) {
                    ranges.add(new long[] {a, a + n});
                    rangeNames.add(name);
                }
            }
            p = end;
        }
        Integer[] order = new Integer[ranges.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Long.compareUnsigned(ranges.get(x)[0], ranges.get(y)[0]));
        long[] s = new long[order.length], e = new long[order.length];
        String[] nm = new String[order.length];
        for (int i = 0; i < order.length; i++) {
            s[i] = ranges.get(order[i])[0];
            e[i] = ranges.get(order[i])[1];
            nm[i] = rangeNames.get(order[i]);
        }
        return new DwarfUnits(s, e, nm);
    }

    /** DW_AT_name of the unit at .debug_info offset {@code cu}, or null. */
    private static String unitName(ElfFile file, Path elf, long[] info, ByteBuffer abbrevSec, long[] str, long[] lineStr, long cu,
                                   Map<Long, Map<Long, long[]>> abbrevs) {
        try {
            if (cu + 12 > info[1]) return null;
            ByteBuffer b = read(file, info[0] + cu, (int) Math.min(512, info[1] - cu), elf);
            int version = Short.toUnsignedInt(b.getShort(4));
            long abbrevOff;
            int p;
            if (version >= 5) {
                abbrevOff = Integer.toUnsignedLong(b.getInt(8)); // unit_type, address_size, then the offset
                p = 12;
            } else {
                abbrevOff = Integer.toUnsignedLong(b.getInt(6));
                p = 11;
            }
            int[] pos = {p};
            long code = uleb(b, pos);
            Map<Long, long[]> table = abbrevs.computeIfAbsent(abbrevOff, off -> abbrevTable(abbrevSec, off));
            long[] spec = table.get(code);
            String name = null, compDir = null;
            if (spec == null) return null;
            // spec: tag, children, then (attribute, form, implicit value) triples
            for (int i = 2; i + 2 < spec.length; i += 3) {
                int at = (int) spec[i], form = (int) spec[i + 1];
                if (at == 0x03 || at == 0x1b) { // DW_AT_name, DW_AT_comp_dir
                    String v = switch (form) {
                        case 0x08 -> cstring(b, pos[0]);
                        case 0x0e -> str == null ? null : stringAt(file, elf, str, Integer.toUnsignedLong(b.getInt(pos[0])));
                        case 0x1f -> lineStr == null ? null : stringAt(file, elf, lineStr, Integer.toUnsignedLong(b.getInt(pos[0])));
                        default -> null;
                    };
                    if (at == 0x03) name = v;
                    else compDir = v;
                    if (name != null && compDir != null) break;
                }
                if (!skip(b, pos, form, version)) break;
            }
            return name == null ? null : treePath(name, compDir);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Skips one attribute value of this form; false for a form it does not know. */
    private static boolean skip(ByteBuffer b, int[] pos, int form, int version) {
        switch (form) {
            case 0x01, 0x07, 0x14, 0x20 -> pos[0] += 8;                  // addr, data8, ref8, ref_sig8
            case 0x05, 0x12 -> pos[0] += 2;                              // data2, ref2
            case 0x06, 0x0e, 0x10, 0x13, 0x17, 0x1c, 0x1d, 0x1f -> pos[0] += 4; // data4, strp, ref_addr, ref4, sec_offset, ...
            case 0x0b, 0x0c, 0x11, 0x25, 0x29 -> pos[0] += 1;            // data1, flag, ref1, strx1, addrx1
            case 0x26, 0x2a -> pos[0] += 2;                              // strx2, addrx2
            case 0x27, 0x2b -> pos[0] += 3;                              // strx3, addrx3
            case 0x28, 0x2c -> pos[0] += 4;                              // strx4, addrx4
            case 0x1e -> pos[0] += 16;                                   // data16
            case 0x19, 0x21 -> { }                                       // flag_present, implicit_const
            case 0x08 -> { while (b.get(pos[0]++) != 0) { } }            // string
            case 0x0d -> sleb(b, pos);                                   // sdata
            case 0x0f, 0x15, 0x1a, 0x1b, 0x22, 0x23 -> uleb(b, pos);     // udata, ref_udata, strx, addrx, loclistx, rnglistx
            case 0x09, 0x18 -> pos[0] += (int) uleb(b, pos);             // block, exprloc
            case 0x0a -> pos[0] += 1 + Byte.toUnsignedInt(b.get(pos[0])); // block1
            case 0x03 -> pos[0] += 2 + Short.toUnsignedInt(b.getShort(pos[0])); // block2
            case 0x04 -> pos[0] += 4 + b.getInt(pos[0]);                 // block4
            default -> { return false; }
        }
        return true;
    }

    /** The abbreviation table at this offset: code -> {tag, children, (attr, form, implicit)...}. */
    private static Map<Long, long[]> abbrevTable(ByteBuffer b, long off) {
        Map<Long, long[]> out = new HashMap<>();
        try {
            int[] pos = {(int) off};
            while (pos[0] < b.limit()) {
                long code = uleb(b, pos);
                if (code == 0) break;
                List<Long> v = new ArrayList<>(List.of(uleb(b, pos), (long) b.get(pos[0]++)));
                while (true) {
                    long at = uleb(b, pos), form = uleb(b, pos);
                    long implicit = form == 0x21 ? sleb(b, pos) : 0;
                    if (at == 0 && form == 0) break;
                    v.add(at);
                    v.add(form);
                    v.add(implicit);
                }
                out.put(code, v.stream().mapToLong(Long::longValue).toArray());
            }
        } catch (RuntimeException e) {
            // a table that does not parse names nothing
        }
        return out;
    }

    /** Top-level directories of the kernel tree, where an absolute unit name's tree part starts. */
    static final java.util.regex.Pattern TREE = java.util.regex.Pattern.compile(
            "/(arch|block|certs|crypto|drivers|fs|include|init|io_uring|ipc|kernel|lib|mm|net|rust|samples|security|sound|usr|virt)/");

    /**
     * A unit's path as the tree spells it ({@code arch/x86/entry/entry_64.S}): gcc names C units
     * relative to the tree, the assembler names its units with an absolute path; that path is cut
     * at its compile directory, or else where a top-level kernel directory starts.
     */
    static String treePath(String name, String compDir) {
        if (!name.startsWith("/")) return name;
        if (compDir != null && name.startsWith(compDir + "/")) return name.substring(compDir.length() + 1);
        java.util.regex.Matcher m = TREE.matcher(name);
        return m.find() ? name.substring(m.start() + 1) : name;
    }

    static long uleb(ByteBuffer b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get(pos[0]++);
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }

    static long sleb(ByteBuffer b, int[] pos) {
        long v = 0;
        int shift = 0, x;
        do {
            x = b.get(pos[0]++);
            v |= (long) (x & 0x7f) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        return shift < 64 && (x & 0x40) != 0 ? v | -1L << shift : v;
    }

    private static String cstring(ByteBuffer b, int p) {
        int e = p;
        while (e < b.limit() && b.get(e) != 0) e++;
        byte[] s = new byte[e - p];
        b.get(p, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static String stringAt(ElfFile file, Path elf, long[] sec, long off) {
        if (off >= sec[1]) return null;
        return cstring(read(file, sec[0] + off, (int) Math.min(4096, sec[1] - off), elf), 0);
    }

    /** {file offset, size} of the named section, or null. */
    private static long[] section(ElfFile elf, String name) {
        return elf.section(name).map(x -> new long[] {x.offset(), x.size()}).orElse(null);
    }

    private static ByteBuffer read(ElfFile file, long off, int len, Path f) {
        if (off < 0 || len < 0) throw new BpfFormatException(f + ": section out of bounds");
        try {
            return ByteBuffer.wrap(file.read(off, len)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (BpfFormatException e) {
            throw new BpfFormatException(f + ": " + e.getMessage(), e);
        }
    }
}
