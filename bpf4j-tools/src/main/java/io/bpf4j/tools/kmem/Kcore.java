package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfNote;
import io.bpf4j.elf.ElfSegment;
import io.bpf4j.internal.sys.Errno;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The running kernel's memory through {@code /proc/kcore}, an ELF core file whose PT_LOAD
 * segments map kernel virtual addresses (text, direct map, vmalloc, modules) to file offsets.
 * The segments carry the randomized (KASLR) addresses, so addresses from {@code /proc/kallsyms}
 * and pointers read from memory can be used as they are.
 *
 * <p>Reads go through a small page cache, because typed walks read many small fields from the
 * same pages; {@link #invalidate()} drops it so that a new question sees the kernel as it is now.
 * Open needs root (CAP_SYS_RAWIO) and a kernel without {@code lockdown=confidentiality}.
 */
public final class Kcore implements KernelMemory, AutoCloseable {
    public static final Path PATH = Path.of("/proc/kcore");
    private static final int PAGE = 4096, CACHE_PAGES = 4096;
    private static final int MAX_NOTES = 1 << 20;

    /** One PT_LOAD segment: {@code size} bytes at kernel address {@code vaddr} live at file {@code offset}. */
    public record Segment(long vaddr, long offset, long size) {
        boolean contains(long addr) {
            return Long.compareUnsigned(addr, vaddr) >= 0 && Long.compareUnsigned(addr - vaddr, size) < 0;
        }
    }

    private final Path path;
    private final FileChannel ch;
    private final List<Segment> segments;
    private final Map<String, String> vmcoreinfo;
    private final Map<Long, byte[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
            return size() > CACHE_PAGES;
        }
    };
    private long reads;

    private Kcore(Path path, FileChannel ch, List<Segment> segments, Map<String, String> vmcoreinfo) {
        this.path = path;
        this.ch = ch;
        this.segments = segments;
        this.vmcoreinfo = vmcoreinfo;
    }

    /** Opens {@code /proc/kcore}; a missing, locked-down or unreadable kcore is one clear BpfException. */
    public static Kcore open() {
        return open(PATH);
    }

    /** Opens an ELF core file of kernel memory (kcore, or a copy of its layout in tests). */
    public static Kcore open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BpfException("open " + path, Errno.ENOENT,
                    "kernel built without CONFIG_PROC_KCORE, or /proc not mounted; kernel-memory facts are unavailable");
        } catch (AccessDeniedException e) {
            throw new BpfException("open " + path, Errno.EACCES, "reading kernel memory needs root (CAP_SYS_RAWIO)");
        } catch (FileSystemException e) {
            String reason = String.valueOf(e.getReason());
            if (reason.contains("not permitted")) {
                throw new BpfException("open " + path, Errno.EPERM, lockdownHint());
            }
            throw new BpfException("open " + path + ": " + reason);
        } catch (IOException e) {
            throw new BpfException("open " + path + ": " + e.getMessage());
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the parse error is what matters
            }
            throw e;
        }
    }

    /** Why opening kcore was refused: kernel lockdown if it is on, else missing capability. */
    static String lockdownHint() {
        try {
            String l = Files.readString(Path.of("/sys/kernel/security/lockdown")).trim();
            int a = l.indexOf('['), b = l.indexOf(']');
            String mode = a >= 0 && b > a ? l.substring(a + 1, b) : l;
            if (!mode.equals("none")) return "kernel lockdown is '" + mode + "', which blocks /proc/kcore";
        } catch (IOException | RuntimeException ignored) {
            // no securityfs: fall through to the capability explanation
        }
        return "needs CAP_SYS_RAWIO, or kernel lockdown blocks /proc/kcore";
    }

    private static Kcore parse(Path path, FileChannel ch) {
        ElfFile elf;
        try {
            elf = ElfFile.of(ch);
        } catch (BpfFormatException e) {
            throw bad(path, e.getMessage());
        }
        if (elf.type() != ElfFile.ET_CORE) throw bad(path, "ELF type " + elf.type() + ", want ET_CORE (4)");
        if (elf.segments().isEmpty()) throw bad(path, "no program headers");
        List<Segment> segs = new ArrayList<>();
        Map<String, String> info = Map.of();
        for (ElfSegment g : elf.segments()) {
            long off = g.offset(), vaddr = g.vaddr(), filesz = g.fileSize();
            int ptype = g.type();
            if ((ptype == ElfFile.PT_LOAD || ptype == ElfFile.PT_NOTE) && (off < 0 || filesz < 0 || off + filesz < 0)) {
                throw bad(path, String.format("segment %d at file offset 0x%x size 0x%x is outside any file", g.index(), off, filesz));
            }
            if (ptype == ElfFile.PT_LOAD && filesz != 0) {
                if (Long.compareUnsigned(vaddr + filesz - 1, vaddr) < 0) {
                    throw bad(path, String.format("segment %d at 0x%x size 0x%x wraps the address space", g.index(), vaddr, filesz));
                }
                segs.add(new Segment(vaddr, off, filesz));
            } else if (ptype == ElfFile.PT_NOTE && filesz > 0 && filesz <= MAX_NOTES) {
                Map<String, String> found;
                try {
                    found = vmcoreinfo(ElfNote.parse(elf.read(off, filesz)));
                } catch (BpfFormatException e) {
                    throw bad(path, e.getMessage());
                }
                if (!found.isEmpty()) info = found;
            }
        }
        if (segs.isEmpty()) throw bad(path, "no PT_LOAD segments");
        segs.sort((a, b) -> Long.compareUnsigned(a.vaddr(), b.vaddr()));
        return new Kcore(path, ch, Collections.unmodifiableList(segs), info);
    }

    /** The key=value lines of the VMCOREINFO note, empty when there is none. */
    static Map<String, String> vmcoreinfo(List<ElfNote> notes) {
        for (ElfNote n : notes) {
            if (!n.name().equals("VMCOREINFO")) continue;
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : new String(n.desc(), StandardCharsets.ISO_8859_1).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1).replace("\0", ""));
            }
            return Collections.unmodifiableMap(m);
        }
        return Map.of();
    }

    private static BpfFormatException bad(Path path, String why) {
        return new BpfFormatException(path + ": " + why);
    }

    /** The PT_LOAD segments, by address. */
    public List<Segment> segments() {
        return segments;
    }

    /** The VMCOREINFO note (OSRELEASE, KERNELOFFSET, PAGESIZE, SYMBOL(...)...), empty when absent. */
    public Map<String, String> vmcoreinfo() {
        return vmcoreinfo;
    }

    /**
     * The KASLR offset as the kernel itself reports it in VMCOREINFO ({@code KERNELOFFSET}, in
     * hex), empty on kernels or architectures that do not write it.
     */
    public Optional<Long> kernelOffset() {
        String v = vmcoreinfo.get("KERNELOFFSET");
        if (v == null) return Optional.empty();
        try {
            return Optional.of(Long.parseUnsignedLong(v.trim(), 16));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether some segment maps {@code address}. */
    public boolean isMapped(long address) {
        return segmentOf(address) != null;
    }

    /** How many reads reached the file (cache misses and uncached reads), for measurements. */
    public synchronized long fileReads() {
        return reads;
    }

    private Segment segmentOf(long addr) {
        int lo = 0, hi = segments.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Segment s = segments.get(mid);
            if (Long.compareUnsigned(addr, s.vaddr()) < 0) hi = mid - 1;
            else if (s.contains(addr)) return s;
            else lo = mid + 1;
        }
        return null;
    }

    @Override
    public synchronized void read(long address, byte[] dst, int offset, int length) {
        if (length < 0 || offset < 0 || offset + length > dst.length) {
            throw new MemoryFault(address, length, "bad destination range");
        }
        int done = 0;
        while (done < length) {
            long a = address + done;
            Segment s = segmentOf(a);
            if (s == null) throw new MemoryFault(address, length, String.format("0x%x is not mapped by %s", a, path));
            long page = a & -PAGE;
            int inPage = (int) (a - page);
            int n = Math.min(length - done, PAGE - inPage);
            if (s.contains(page) && s.contains(page + PAGE - 1)) {
                byte[] p = cache.get(page);
                if (p == null) {
                    p = new byte[PAGE];
                    fill(s, page, p, 0, PAGE, address, length);
                    cache.put(page, p);
                }
                System.arraycopy(p, inPage, dst, offset + done, n);
            } else {
                long segLeft = s.size() - (a - s.vaddr());
                n = (int) Math.min(n, segLeft);
                fill(s, a, dst, offset + done, n, address, length);
            }
            done += n;
        }
    }

    private void fill(Segment s, long a, byte[] dst, int off, int n, long address, int length) {
        reads++;
        ByteBuffer buf = ByteBuffer.wrap(dst, off, n);
        long pos = s.offset() + (a - s.vaddr());
        try {
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos + (buf.position() - off));
                if (r <= 0) throw new MemoryFault(address, length, path + " ended early");
            }
        } catch (IOException e) {
            throw new MemoryFault(address, length, path + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void invalidate() {
        cache.clear();
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close of a read-only file
        }
    }

    @Override
    public String toString() {
        return path + " (" + segments.size() + " segments)";
    }
}
