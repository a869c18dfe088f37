package io.bpf4j.elf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A 64-bit little-endian ELF file: its header, section headers, program headers, symbol table,
 * relocations and notes. Held in memory ({@link #parse}, {@link #read}: clang's BPF objects) or
 * read from a file on demand ({@link #open}: a 1 GB vmlinux costs the reads of what is asked for;
 * {@code /proc/kcore}, whose program headers map kernel memory).
 *
 * <p>Every offset, size and index is checked against the file before it is used: bad input is a
 * {@link BpfFormatException} naming what is wrong, never another exception. Section and symbol
 * lists are immutable; contents are copied out on request. An instance opened on a file holds
 * it open until {@link #close()}.
 */
public final class ElfFile implements AutoCloseable {
    /** e_machine of BPF objects. */
    public static final int EM_BPF = 247;
    /** e_type: relocatable object, executable (vmlinux), shared object, core file (kcore). */
    public static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    /** Section types. */
    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
            SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9;
    /** Section flags. */
    public static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    /** Program header (segment) types. */
    public static final int PT_LOAD = 1, PT_NOTE = 4;
    /** The GNU build id note's type ({@code NT_GNU_BUILD_ID}). */
    public static final int NT_GNU_BUILD_ID = 3;
    static final int EHDR_SIZE = 64, SHDR_SIZE = 64, PHDR_SIZE = 56, SYM_SIZE = 24, REL_SIZE = 16, RELA_SIZE = 24;
    /** More sections than this is not a compiler's output; it bounds work on hostile input. */
    static final int MAX_SECTIONS = 1 << 16;
    /** kcore has one program header per memory range; more than this is not a kernel's. */
    static final int MAX_SEGMENTS = 1 << 20;
    /** Notes larger than this are not build ids or VMCOREINFO. */
    static final int MAX_NOTES = 1 << 20;
    private static final int PN_XNUM = 0xffff;

    /**
     * The largest SHT_NOBITS section (.bss) whose zeros {@link #contents} makes: its size costs
     * the file nothing, so a header could ask for gigabytes. The kernel refuses a map value
     * above KMALLOC_MAX_SIZE (array_map_alloc_check; 4 MiB with 4 KiB pages), so no loadable
     * object has a larger one; 64 MiB leaves room for larger pages.
     */
    static final long MAX_NOBITS = 64L << 20;

    /** The whole file, or null when it is read through {@link #channel}. */
    private final byte[] data;
    private final FileChannel channel;
    private final boolean ownsChannel;
    private final long length;
    private final int type;
    private final int machine;
    private final List<ElfSection> sections;
    private final List<ElfSegment> segments;
    private volatile List<ElfSymbol> symbols;

    private ElfFile(byte[] data, FileChannel channel, boolean ownsChannel, long length) {
        this.data = data;
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.length = length;
        if (length < EHDR_SIZE) throw bad("file is " + length + " bytes, shorter than the 64-byte ELF header");
        byte[] eh = bytes(0, EHDR_SIZE, "ELF header");
        if (eh[0] != 0x7f || eh[1] != 'E' || eh[2] != 'L' || eh[3] != 'F') throw bad("not an ELF file (bad magic)");
        if (eh[4] != 2) throw bad("not a 64-bit ELF file (class " + eh[4] + ")");
        if (eh[5] == 2) throw bad("big-endian ELF is not supported");
        if (eh[5] != 1) throw bad("unknown ELF data encoding " + eh[5]);
        type = u16(eh, 16);
        machine = u16(eh, 18);
        long phoff = u64(eh, 32), shoff = u64(eh, 40);
        int phentsize = u16(eh, 54), phnum = u16(eh, 56);
        int shentsize = u16(eh, 58), shnum = u16(eh, 60), shstrndx = u16(eh, 62);
        if (shoff != 0 && shentsize != SHDR_SIZE) throw bad("section header size " + shentsize + ", want 64");
        byte[] sh0 = null;
        if (shoff != 0 && (shnum == 0 || shstrndx == 0xffff || phnum == PN_XNUM)) sh0 = bytes(shoff, SHDR_SIZE, "section header 0");
        if (shnum == 0 && shoff != 0) {
            // More than 0xff00 sections: the real count is in section 0's sh_size.
            long n = u64(sh0, 32);
            if (n < 0 || n > MAX_SECTIONS) throw bad("too many sections: " + Long.toUnsignedString(n));
            shnum = (int) n;
        }
        if (shstrndx == 0xffff && sh0 != null) shstrndx = u32(sh0, 24);
        if (phnum == PN_XNUM) {
            // More than 65534 program headers: the real count is in section 0's sh_info.
            if (sh0 == null) throw bad("program header count in section 0, but there is no section header table");
            phnum = u32(sh0, 44);
            if (phnum < 0 || phnum > MAX_SEGMENTS) throw bad("too many program headers: " + Integer.toUnsignedString(phnum));
        }
        sections = shoff == 0 ? List.of() : readSections(shoff, shnum, shstrndx);
        if (phoff != 0 && phnum > 0 && phentsize != PHDR_SIZE) throw bad("program header size " + phentsize + ", want 56");
        segments = phoff == 0 || phnum == 0 ? List.of() : readSegments(phoff, phnum);
    }

    private List<ElfSection> readSections(long shoff, int shnum, int shstrndx) {
        byte[] sh = bytes(shoff, (long) shnum * SHDR_SIZE, "section header table");
        if (shnum > 0 && (shstrndx < 0 || shstrndx >= shnum)) throw bad("section name table index " + shstrndx + " out of range");
        byte[] names = null;
        if (shnum > 0) {
            int p = shstrndx * SHDR_SIZE;
            int t = u32(sh, p + 4);
            long off = u64(sh, p + 24), size = u64(sh, p + 32);
            names = t == SHT_NOBITS ? new byte[0] : bytes(off, size, "section name table");
        }
        List<ElfSection> secs = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int h = i * SHDR_SIZE;
            int stype = u32(sh, h + 4);
            long off = u64(sh, h + 24), size = u64(sh, h + 32);
            boolean noBytes = stype == SHT_NOBITS || stype == SHT_NULL;
            if (i != 0 && !noBytes) checkRange(off, size, "section " + i);
            String name = i == 0 ? "" : string(names, u32(sh, h), "section " + i + " name");
            secs.add(new ElfSection(i, name, stype, u64(sh, h + 8), u64(sh, h + 16), noBytes ? 0 : off, size,
                    u32(sh, h + 40), u32(sh, h + 44), u64(sh, h + 48), u64(sh, h + 56)));
        }
        return Collections.unmodifiableList(secs);
    }

    private List<ElfSegment> readSegments(long phoff, int phnum) {
        byte[] ph = bytes(phoff, (long) phnum * PHDR_SIZE, "program headers");
        List<ElfSegment> segs = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            int p = i * PHDR_SIZE;
            segs.add(new ElfSegment(i, u32(ph, p), u32(ph, p + 4), u64(ph, p + 8), u64(ph, p + 16), u64(ph, p + 24),
                    u64(ph, p + 32), u64(ph, p + 40), u64(ph, p + 48)));
        }
        return Collections.unmodifiableList(segs);
    }

    /** Parses a file held in memory (the array is not copied: do not change it). */
    public static ElfFile parse(byte[] data) {
        return new ElfFile(data, null, false, data.length);
    }

    /** Reads a whole file into memory and parses it; an unreadable file is a {@link BpfException}. */
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

    /**
     * Opens a file and reads its headers only; contents, symbols and notes are read when asked
     * for. Close it. An unreadable file is a {@link BpfException}, a malformed one a
     * {@link BpfFormatException} naming the file.
     */
    public static ElfFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BpfException("open " + file + ": no such file");
        } catch (IOException e) {
            throw new BpfException("open " + file + ": " + e.getMessage(), e);
        }
        try {
            return new ElfFile(null, ch, true, ch.size());
        } catch (BpfFormatException e) {
            close(ch);
            throw new BpfFormatException(file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            close(ch);
            throw new BpfException("read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    /**
     * Reads the headers of an ELF file through a channel the caller opened and keeps owning
     * ({@link #close()} leaves it open), e.g. {@code /proc/kcore}, whose opening needs its own
     * error handling. Errors do not name the file: the caller does.
     */
    public static ElfFile of(FileChannel ch) {
        try {
            return new ElfFile(null, ch, false, ch.size());
        } catch (IOException e) {
            throw new BpfException("read ELF headers: " + e.getMessage(), e);
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // the error that made us close it is what the caller needs
        }
    }

    /** Closes the file of an {@link #open}ed instance; nothing for one held in memory. */
    @Override
    public void close() {
        if (channel != null && ownsChannel) close(channel);
    }

    /** e_type: {@link #ET_REL} for BPF objects, {@link #ET_EXEC} for vmlinux, {@link #ET_CORE} for kcore. */
    public int type() {
        return type;
    }

    /** e_machine: {@link #EM_BPF} for BPF objects. */
    public int machine() {
        return machine;
    }

    /** All section headers, indexed by section number (entry 0 is the null section); empty when the file has none. */
    public List<ElfSection> sections() {
        return sections;
    }

    /** The program headers; empty when the file has none (relocatable objects). */
    public List<ElfSegment> segments() {
        return segments;
    }

    /** The symbol table (entry 0 is the null symbol); empty when the file has none. Read once, on first use. */
    public List<ElfSymbol> symbols() {
        List<ElfSymbol> s = symbols;
        if (s == null) symbols = s = readSymbols();
        return s;
    }

    /** The only SHT_SYMTAB section and its string table, or null when there is none. */
    private ElfSection[] symbolTable() {
        ElfSection symtab = null;
        for (ElfSection s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (symtab != null) throw bad("more than one symbol table");
                symtab = s;
            }
        }
        if (symtab == null) return null;
        if (symtab.entrySize() != SYM_SIZE) throw bad("symbol table entry size " + symtab.entrySize() + ", want 24");
        if (symtab.size() % SYM_SIZE != 0) throw bad("symbol table size " + symtab.size() + " is not a multiple of 24");
        ElfSection strtab = section(symtab.link(), "symbol string table");
        if (strtab.type() != SHT_STRTAB) throw bad("symbol table links to section " + strtab.index() + ", which is not a string table");
        return new ElfSection[] {symtab, strtab};
    }

    private List<ElfSymbol> readSymbols() {
        ElfSection[] t = symbolTable();
        if (t == null) return List.of();
        byte[] sym = contents(t[0]), str = contents(t[1]);
        int n = sym.length / SYM_SIZE;
        ElfSymbol[] out = new ElfSymbol[n];
        for (int i = 0; i < n; i++) out[i] = symbolAt(sym, i * SYM_SIZE, i, string(str, u32(sym, i * SYM_SIZE), "symbol " + i + " name"));
        return List.of(out);
    }

    private static ElfSymbol symbolAt(byte[] sym, int p, int index, String name) {
        int info = sym[p + 4] & 0xff;
        return new ElfSymbol(index, name, info >>> 4, info & 0xf, sym[p + 5] & 0xff, u16(sym, p + 6), u64(sym, p + 8), u64(sym, p + 16));
    }

    /**
     * The first symbol named {@code name}, found without building the whole table: the string
     * table is read once and the symbol table a megabyte at a time, so a vmlinux's 200,000
     * symbols cost two reads and no objects.
     */
    public Optional<ElfSymbol> symbol(String name) {
        ElfSection[] t = symbolTable();
        if (t == null) return Optional.empty();
        byte[] want = (name + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] str = contents(t[1]);
        long size = t[0].size();
        final int step = (1 << 20) / SYM_SIZE * SYM_SIZE;
        for (long p = 0; p < size; p += step) {
            byte[] chunk = bytes(t[0].offset() + p, Math.min(step, size - p), "symbol table");
            for (int k = 0; k + SYM_SIZE <= chunk.length; k += SYM_SIZE) {
                int nm = u32(chunk, k);
                if (nm <= 0 || nm > str.length - want.length) continue;
                if (Arrays.equals(str, nm, nm + want.length, want, 0, want.length))
                    return Optional.of(symbolAt(chunk, k, (int) ((p + k) / SYM_SIZE), name));
            }
        }
        return Optional.empty();
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
        List<ElfSymbol> s = symbols();
        if (index < 0 || index >= s.size()) throw bad(what + ": symbol index " + index + " out of range");
        return s.get(index);
    }

    /** A copy of the section's bytes; zeros for SHT_NOBITS (.bss). */
    public byte[] contents(ElfSection s) {
        if (s.type() == SHT_NOBITS) {
            if (Long.compareUnsigned(s.size(), MAX_NOBITS) > 0)
                throw bad("section " + Escape.text(s.name()) + ": " + Long.toUnsignedString(s.size()) + " bytes of zeros, more than " + MAX_NOBITS);
            return new byte[(int) s.size()];
        }
        return bytes(s.offset(), s.size(), "section " + s.name());
    }

    /** {@code length} bytes at file offset {@code offset}, e.g. a segment's. */
    public byte[] read(long offset, long length) {
        return bytes(offset, length, "bytes at " + offset);
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
        byte[] b = contents(rel);
        int n = b.length / es, symbolCount = symbols().size();
        List<ElfRelocation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p = i * es;
            long info = u64(b, p + 8);
            long sym = info >>> 32;
            if (sym >= symbolCount) throw bad("section " + Escape.text(rel.name()) + " entry " + i + ": symbol index " + sym + " out of range");
            out.add(new ElfRelocation(u64(b, p), (int) sym, (int) info, rela ? u64(b, p + 16) : 0));
        }
        return out;
    }

    /** The notes of every SHT_NOTE section, or of every PT_NOTE segment in a file without sections. */
    public List<ElfNote> notes() {
        List<ElfNote> out = new ArrayList<>();
        for (ElfSection s : sections)
            if (s.type() == SHT_NOTE && s.size() > 0 && s.size() <= MAX_NOTES) out.addAll(ElfNote.parse(contents(s)));
        if (sections.isEmpty()) {
            for (ElfSegment s : segments)
                if (s.type() == PT_NOTE && s.fileSize() > 0 && s.fileSize() <= MAX_NOTES) out.addAll(ElfNote.parse(read(s.offset(), s.fileSize())));
        }
        return out;
    }

    /** The GNU build id ({@code readelf -n}'s "Build ID") in hex, or empty when the file has none. */
    public Optional<String> buildId() {
        return gnuBuildId(notes());
    }

    /** The GNU build id among notes, in hex, e.g. of {@code /sys/kernel/notes} (the running kernel's). */
    public static Optional<String> gnuBuildId(List<ElfNote> notes) {
        for (ElfNote n : notes)
            if (n.type() == NT_GNU_BUILD_ID && n.name().equals("GNU")) return Optional.of(HexFormat.of().formatHex(n.desc()));
        return Optional.empty();
    }

    /** {@code len} bytes at {@code off}, checked to lie in the file. */
    private byte[] bytes(long off, long len, String what) {
        checkRange(off, len, what);
        if (len > Integer.MAX_VALUE - 8) throw bad(what + ": " + len + " bytes is too large to read");
        if (data != null) return Arrays.copyOfRange(data, (int) off, (int) (off + len));
        byte[] b = new byte[(int) len];
        ByteBuffer buf = ByteBuffer.wrap(b);
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, off + buf.position());
                if (n < 0) throw bad(what + ": truncated at " + (off + buf.position()));
            }
        } catch (IOException e) {
            throw new BpfException("read " + what + ": " + e.getMessage(), e);
        }
        return b;
    }

    private static String string(byte[] table, int off, String what) {
        if (off < 0 || off >= table.length)
            throw bad(what + ": string offset " + Integer.toUnsignedString(off) + " outside string table of " + table.length + " bytes");
        int p = off;
        while (p < table.length && table[p] != 0) p++;
        if (p == table.length) throw bad(what + ": string at offset " + off + " is not NUL-terminated");
        return new String(table, off, p - off, StandardCharsets.UTF_8);
    }

    private void checkRange(long off, long len, String what) {
        if (off < 0 || len < 0 || off > length || len > length - off)
            throw bad(what + ": [" + Long.toUnsignedString(off) + ", +" + Long.toUnsignedString(len) + ") outside the file of " + length + " bytes");
    }

    static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    static int u32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    static long u64(byte[] b, int p) {
        return (u32(b, p) & 0xffffffffL) | (long) u32(b, p + 4) << 32;
    }

    static BpfFormatException bad(String msg) {
        return new BpfFormatException("ELF: " + msg);
    }
}
