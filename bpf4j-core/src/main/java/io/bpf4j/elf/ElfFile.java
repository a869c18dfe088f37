package io.bpf4j.elf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A 64-bit little-endian ELF relocatable object, as clang writes for {@code -target bpf}:
 * section headers, the symbol table and {@code .rel}/{@code .rela} sections. Nothing else of ELF
 * (program headers, dynamic linking) matters for BPF objects, so nothing else is read.
 *
 * <p>Every offset, size and index is checked against the file before it is used: bad input is a
 * {@link BpfFormatException} naming what is wrong, never another exception. Instances are
 * immutable; section contents are copied out on request.
 */
public final class ElfFile {
    /** e_machine of BPF objects. */
    public static final int EM_BPF = 247;
    public static final int ET_REL = 1;
    /** Section types. */
    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
            SHT_NOBITS = 8, SHT_REL = 9;
    /** Section flags. */
    public static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    static final int EHDR_SIZE = 64, SHDR_SIZE = 64, SYM_SIZE = 24, REL_SIZE = 16, RELA_SIZE = 24;
    /** More sections than this is not a compiler's output; it bounds work on hostile input. */
    static final int MAX_SECTIONS = 1 << 16;
    /**
     * The largest SHT_NOBITS section (.bss) whose zeros {@link #contents} makes: its size costs
     * the file nothing, so a header could ask for gigabytes. The kernel refuses a map value
     * above KMALLOC_MAX_SIZE (array_map_alloc_check; 4 MiB with 4 KiB pages), so no loadable
     * object has a larger one; 64 MiB leaves room for larger pages.
     */
    static final long MAX_NOBITS = 64L << 20;

    private final byte[] data;
    private final int machine;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;

    private ElfFile(byte[] data) {
        this.data = data;
        if (data.length < EHDR_SIZE) throw bad("file is " + data.length + " bytes, shorter than the 64-byte ELF header");
        if (data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') throw bad("not an ELF file (bad magic)");
        if (data[4] != 2) throw bad("not a 64-bit ELF file (class " + data[4] + ")");
        if (data[5] == 2) throw bad("big-endian ELF is not supported");
        if (data[5] != 1) throw bad("unknown ELF data encoding " + data[5]);
        int type = u16(16);
        machine = u16(18);
        if (type != ET_REL) throw bad("ELF type " + type + " is not a relocatable object (ET_REL)");
        long shoff = u64(40);
        int shentsize = u16(58);
        int shnum = u16(60);
        int shstrndx = u16(62);
        if (shoff != 0 && shentsize != SHDR_SIZE) throw bad("section header size " + shentsize + ", want 64");
        if (shnum == 0 && shoff != 0) {
            // More than 0xff00 sections: the real count is in section 0's sh_size.
            checkRange(shoff, SHDR_SIZE, "section header 0");
            long n = u64((int) shoff + 32);
            if (n > MAX_SECTIONS) throw bad("too many sections: " + n);
            shnum = (int) n;
        }
        if (shstrndx == 0xffff) {
            checkRange(shoff, SHDR_SIZE, "section header 0");
            shstrndx = u32((int) shoff + 24);
        }
        checkRange(shoff, (long) shnum * SHDR_SIZE, "section header table");
        if (shnum > 0 && (shstrndx < 0 || shstrndx >= shnum)) throw bad("section name table index " + shstrndx + " out of range");
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * SHDR_SIZE);
            raw[i] = new long[] {u32(h), u32(h + 4), u64(h + 8), u64(h + 16), u64(h + 24), u64(h + 32),
                    u32(h + 40), u32(h + 44), u64(h + 48), u64(h + 56)};
        }
        long[] strHdr = shnum > 0 ? raw[shstrndx] : null;
        List<ElfSection> secs = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            long[] r = raw[i];
            int stype = (int) r[1];
            long off = r[4], size = r[5];
            if (i != 0 && stype != SHT_NOBITS && stype != SHT_NULL) checkRange(off, size, "section " + i);
            String name = i == 0 || strHdr == null ? "" : string(strHdr, r[0], "section " + i + " name");
            secs.add(new ElfSection(i, name, stype, r[2], r[3], stype == SHT_NOBITS || stype == SHT_NULL ? 0 : (int) off,
                    size, (int) r[6], (int) r[7], r[8], r[9]));
        }
        sections = Collections.unmodifiableList(secs);
        symbols = readSymbols();
    }

    /** Parses an object held in memory. */
    public static ElfFile parse(byte[] data) {
        return new ElfFile(data);
    }

    /** Reads and parses an object file; an unreadable file is a {@link BpfException}. */
    public static ElfFile read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BpfException("read " + file + ": no such file");
        } catch (IOException e) {
            throw new BpfException("read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(b);
        } catch (BpfFormatException e) {
            throw new BpfFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private List<ElfSymbol> readSymbols() {
        ElfSection symtab = null;
        for (ElfSection s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (symtab != null) throw bad("more than one symbol table");
                symtab = s;
            }
        }
        if (symtab == null) return List.of();
        if (symtab.entrySize() != SYM_SIZE) throw bad("symbol table entry size " + symtab.entrySize() + ", want 24");
        if (symtab.size() % SYM_SIZE != 0) throw bad("symbol table size " + symtab.size() + " is not a multiple of 24");
        ElfSection strtab = section(symtab.link(), "symbol string table");
        if (strtab.type() != SHT_STRTAB) throw bad("symbol table links to section " + strtab.index() + ", which is not a string table");
        long[] strHdr = {0, 0, 0, 0, strtab.offset(), strtab.size()};
        int n = (int) (symtab.size() / SYM_SIZE);
        List<ElfSymbol> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p = symtab.offset() + i * SYM_SIZE;
            String name = string(strHdr, u32(p), "symbol " + i + " name");
            int info = data[p + 4] & 0xff;
            int shndx = u16(p + 6);
            out.add(new ElfSymbol(i, name, info >>> 4, info & 0xf, data[p + 5] & 0xff, shndx, u64(p + 8), u64(p + 16)));
        }
        return Collections.unmodifiableList(out);
    }

    /** e_machine: {@link #EM_BPF} for BPF objects. */
    public int machine() {
        return machine;
    }

    /** All section headers, indexed by section number (entry 0 is the null section). */
    public List<ElfSection> sections() {
        return sections;
    }

    /** The symbol table (entry 0 is the null symbol); empty when the object has none. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** The section with this index, or a format error naming {@code what} refers to it. */
    public ElfSection section(int index, String what) {
        if (index <= 0 || index >= sections.size()) throw bad(what + ": section index " + index + " out of range");
        return sections.get(index);
    }

    /** The first section with this name. */
    public Optional<ElfSection> section(String name) {
        for (ElfSection s : sections) if (s.name().equals(name)) return Optional.of(s);
        return Optional.empty();
    }

    /** A symbol by index, or a format error naming who refers to it. */
    public ElfSymbol symbol(int index, String what) {
        if (index < 0 || index >= symbols.size()) throw bad(what + ": symbol index " + index + " out of range");
        return symbols.get(index);
    }

    /** A copy of the section's bytes; zeros for SHT_NOBITS (.bss). */
    public byte[] contents(ElfSection s) {
        if (s.type() == SHT_NOBITS) {
            if (Long.compareUnsigned(s.size(), MAX_NOBITS) > 0)
                throw bad("section " + Escape.text(s.name()) + ": " + Long.toUnsignedString(s.size()) + " bytes of zeros, more than " + MAX_NOBITS);
            return new byte[(int) s.size()];
        }
        return Arrays.copyOfRange(data, s.offset(), s.offset() + (int) s.size());
    }

    /** The relocation sections ({@code .rel*} and {@code .rela*}), each with the section it applies to. */
    public List<ElfSection> relocationSections() {
        List<ElfSection> out = new ArrayList<>();
        for (ElfSection s : sections) if (s.type() == SHT_REL || s.type() == SHT_RELA) out.add(s);
        return out;
    }

    /** The entries of a {@code .rel} or {@code .rela} section, symbol indices checked. */
    public List<ElfRelocation> relocations(ElfSection rel) {
        boolean rela = rel.type() == SHT_RELA;
        if (!rela && rel.type() != SHT_REL) throw bad("section " + Escape.text(rel.name()) + " is not a relocation section");
        int es = rela ? RELA_SIZE : REL_SIZE;
        if (rel.entrySize() != 0 && rel.entrySize() != es) throw bad("section " + Escape.text(rel.name()) + ": entry size " + rel.entrySize() + ", want " + es);
        if (rel.size() % es != 0) throw bad("section " + Escape.text(rel.name()) + ": size " + rel.size() + " is not a multiple of " + es);
        int n = (int) (rel.size() / es);
        List<ElfRelocation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p = rel.offset() + i * es;
            long info = u64(p + 8);
            long sym = info >>> 32;
            if (sym >= symbols.size()) throw bad("section " + Escape.text(rel.name()) + " entry " + i + ": symbol index " + sym + " out of range");
            out.add(new ElfRelocation(u64(p), (int) sym, (int) info, rela ? u64(p + 16) : 0));
        }
        return out;
    }

    private String string(long[] strHdr, long off, String what) {
        long base = strHdr[4], size = strHdr[5];
        checkRange(base, size, what + ": string table");
        if (off < 0 || off >= size) throw bad(what + ": string offset " + off + " outside string table of " + size + " bytes");
        int start = (int) (base + off), end = (int) (base + size);
        int p = start;
        while (p < end && data[p] != 0) p++;
        if (p == end) throw bad(what + ": string at offset " + off + " is not NUL-terminated");
        return new String(data, start, p - start, StandardCharsets.UTF_8);
    }

    private void checkRange(long off, long len, String what) {
        if (off < 0 || len < 0 || off > data.length || len > data.length - off)
            throw bad(what + ": [" + off + ", +" + len + ") outside the file of " + data.length + " bytes");
    }

    private int u16(int p) {
        return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8;
    }

    private int u32(int p) {
        return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24;
    }

    private long u64(int p) {
        return (u32(p) & 0xffffffffL) | (long) u32(p + 4) << 32;
    }

    static BpfFormatException bad(String msg) {
        return new BpfFormatException("ELF: " + msg);
    }
}
