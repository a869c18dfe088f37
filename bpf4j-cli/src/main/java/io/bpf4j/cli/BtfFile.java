package io.bpf4j.cli;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.Btf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The BTF of a file as {@code bpftool btf dump file} takes it: raw BTF (the kernel's
 * {@code /sys/kernel/btf/*}), or the {@code .BTF} section of an ELF file (a BPF object, a kernel
 * module, a vmlinux). The file is checked before it is read: only regular files (a device such
 * as /dev/zero has no end), and of an ELF file only its headers and the {@code .BTF} section are
 * read, through a mapping, so a 1 GB vmlinux with DWARF costs what its BTF does.
 */
final class BtfFile {
    private BtfFile() {}

    /** The largest raw BTF read: vmlinux's is 5-6 MB; the kernel loads at most 16 MiB (BTF_MAX_SIZE). */
    static final long MAX_RAW = 256L << 20;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int SHT_NOBITS = 8;

    /** Parses the BTF of {@code file} on top of {@code base} (null for base BTF). */
    static Btf read(Path file, Btf base) {
        if (!Files.exists(file)) throw new BpfException("read BTF " + file + ": no such file");
        if (!Files.isRegularFile(file))
            throw new BpfException(file + ": " + (Files.isDirectory(file) ? "a directory" : "not a regular file (a device or a pipe)")
                    + "; btf dump reads raw BTF or an ELF file's .BTF section");
        int magic;
        long size;
        try (FileChannel ch = FileChannel.open(file)) {
            size = ch.size();
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head) > 0) {
                // a sysfs file may come in pieces
            }
            if (head.position() < 4) throw new BpfFormatException(file + ": " + head.position() + " bytes, too short for BTF or ELF");
            magic = head.getInt(0);
            if (magic == 0x464c457f) { // \x7fELF
                try (Arena arena = Arena.ofConfined()) {
                    return Btf.parse(elfSection(ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), file), base);
                }
            }
        } catch (java.nio.file.AccessDeniedException e) {
            throw new BpfException("read BTF " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new BpfException("read BTF " + file + ": " + e.getMessage(), e);
        }
        if ((magic & 0xffff) != 0xeb9f)
            throw new BpfFormatException(file + ": bad magic 0x" + Integer.toHexString(magic & 0xffff) + ": neither raw BTF (0xeb9f) nor an ELF file");
        if (size > MAX_RAW)
            throw new BpfFormatException(file + ": " + (size >> 20) + " MiB, larger than any BTF (" + (MAX_RAW >> 20) + " MiB at most)");
        return Btf.read(file, base); // the kernel's own files mapped where it allows that
    }

    /** The bytes of the {@code .BTF} section of the 64-bit little-endian ELF file mapped at {@code m}. */
    static byte[] elfSection(MemorySegment m, Path file) {
        long size = m.byteSize();
        if (size < 64) throw bad(file, "shorter than the 64-byte ELF header");
        if (m.get(ValueLayout.JAVA_BYTE, 4) != 2) throw bad(file, "not a 64-bit ELF file");
        if (m.get(ValueLayout.JAVA_BYTE, 5) != 1) throw bad(file, "not a little-endian ELF file");
        long shoff = m.get(U64, 40);
        int shentsize = Short.toUnsignedInt(m.get(U16, 58));
        long shnum = Short.toUnsignedInt(m.get(U16, 60));
        long shstrndx = Short.toUnsignedInt(m.get(U16, 62));
        if (shoff == 0) throw bad(file, "no section headers, so no .BTF section");
        if (shentsize != 64) throw bad(file, "section header size " + shentsize + ", want 64");
        if (shoff < 0 || shoff > size - 64) throw bad(file, "section header table outside the file");
        if (shnum == 0) shnum = m.get(U64, shoff + 32); // more than 0xff00 sections: the count is in section 0
        if (shstrndx == 0xffff) shstrndx = Integer.toUnsignedLong(m.get(U32, shoff + 40));
        if (shnum < 0 || shnum > (size - shoff) / 64) throw bad(file, "section header table outside the file");
        if (shstrndx >= shnum) throw bad(file, "section name table index " + shstrndx + " out of range");
        long strOff = m.get(U64, shoff + shstrndx * 64 + 24), strSize = m.get(U64, shoff + shstrndx * 64 + 32);
        if (strOff < 0 || strSize < 0 || strOff > size || strSize > size - strOff) throw bad(file, "section name table outside the file");
        byte[] want = ".BTF\0".getBytes(StandardCharsets.US_ASCII);
        for (long i = 1; i < shnum; i++) {
            long h = shoff + i * 64;
            long name = Integer.toUnsignedLong(m.get(U32, h));
            if (name > strSize - want.length) continue;
            boolean match = true;
            for (int k = 0; k < want.length && match; k++) match = m.get(ValueLayout.JAVA_BYTE, strOff + name + k) == want[k];
            if (!match) continue;
            int type = m.get(U32, h + 4);
            long off = m.get(U64, h + 24), len = m.get(U64, h + 32);
            if (type == SHT_NOBITS || off < 0 || len < 0 || off > size || len > size - off) throw bad(file, ".BTF section outside the file");
            if (len > MAX_RAW) throw bad(file, ".BTF section of " + (len >> 20) + " MiB, larger than any BTF");
            return m.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
        }
        throw new BpfFormatException(file + ": an ELF file without a .BTF section (built without -g, or stripped)");
    }

    private static BpfFormatException bad(Path file, String what) {
        return new BpfFormatException(file + ": malformed ELF: " + what);
    }
}
