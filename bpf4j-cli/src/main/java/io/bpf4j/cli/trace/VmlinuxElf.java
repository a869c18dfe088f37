package io.bpf4j.cli.trace;

import io.bpf4j.BpfFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What bpf4j trace reads from a vmlinux ELF without loading it (it is 0.7-1.2 GB): its GNU build
 * id, compared with the running kernel's ({@code /sys/kernel/notes}) because a vmlinux of another
 * build gives file:line that look right and are wrong; and one symbol's address, for the KASLR slide.
 */
final class VmlinuxElf {
    private VmlinuxElf() {}

    static final int NT_GNU_BUILD_ID = 3, SHT_NOTE = 7;

    /** The running kernel's build id, if /sys/kernel/notes can be read (root, Linux 2.6.23+). */
    static Optional<String> runningBuildId() {
        try {
            return fromNotes(ByteBuffer.wrap(Files.readAllBytes(Path.of("/sys/kernel/notes"))).order(ByteOrder.nativeOrder()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The build id in an ELF64 little-endian file's note sections; reads only the headers and
     * the notes, so a 1 GB vmlinux costs a few reads. Empty when the file has none.
     */
    static Optional<String> buildId(Path elf) throws IOException {
        try (FileChannel ch = FileChannel.open(elf, StandardOpenOption.READ)) {
            ByteBuffer sh = sectionHeaders(ch, elf);
            int shnum = sh.limit() / 64, shentsize = 64;
            for (int i = 0; i < shnum; i++) {
                int o = i * shentsize;
                if (sh.getInt(o + 4) != SHT_NOTE) continue;
                long off = sh.getLong(o + 0x18), size = sh.getLong(o + 0x20);
                if (size <= 0 || size > 1 << 20 || off + size > ch.size()) continue;
                Optional<String> id = fromNotes(read(ch, off, (int) size, elf));
                if (id.isPresent()) return id;
            }
            return Optional.empty();
        }
    }

    static final int SHT_SYMTAB = 2;

    /**
     * A symbol's value from an ELF64 little-endian file's .symtab, reading only the section
     * headers, the symbol table and its string table. Empty when the file has no such symbol.
     */
    static Optional<Long> symbol(Path elf, String name) throws IOException {
        byte[] want = (name + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(elf, StandardOpenOption.READ)) {
            ByteBuffer sh = sectionHeaders(ch, elf);
            int n = sh.limit() / 64;
            for (int i = 0; i < n; i++) {
                int o = i * 64;
                if (sh.getInt(o + 4) != SHT_SYMTAB) continue;
                long off = sh.getLong(o + 0x18), size = sh.getLong(o + 0x20);
                int link = sh.getInt(o + 0x28);
                if (link <= 0 || link >= n) throw new BpfFormatException(elf + ": .symtab links to no string table");
                long soff = sh.getLong(link * 64 + 0x18), ssize = sh.getLong(link * 64 + 0x20);
                if (ssize > 256 << 20 || size > 1L << 31 || off + size > ch.size() || soff + ssize > ch.size()) {
                    throw new BpfFormatException(elf + ": symbol table out of bounds");
                }
                ByteBuffer str = read(ch, soff, (int) ssize, elf);
                final int step = (1 << 20) / 24 * 24; // whole symbols per read
                for (long p = 0; p + 24 <= size; p += step) {
                    ByteBuffer chunk = read(ch, off + p, (int) Math.min(step, (size - p) / 24 * 24), elf);
                    for (int k = 0; k + 24 <= chunk.limit(); k += 24) {
                        int nm = chunk.getInt(k);
                        if (nm <= 0 || nm + want.length > ssize) continue;
                        boolean eq = true;
                        for (int j = 0; j < want.length && eq; j++) eq = str.get(nm + j) == want[j];
                        if (eq) return Optional.of(chunk.getLong(k + 8));
                    }
                }
            }
            return Optional.empty();
        }
    }

    private static ByteBuffer sectionHeaders(FileChannel ch, Path elf) throws IOException {
        ByteBuffer eh = read(ch, 0, 64, elf);
        if (eh.getInt(0) != 0x464c457f) throw new BpfFormatException(elf + ": not an ELF file");
        if (eh.get(4) != 2 || eh.get(5) != 1) throw new BpfFormatException(elf + ": not a 64-bit little-endian ELF file");
        long shoff = eh.getLong(0x28);
        int shentsize = Short.toUnsignedInt(eh.getShort(0x3a)), shnum = Short.toUnsignedInt(eh.getShort(0x3c));
        if (shoff <= 0 || shnum == 0 || shentsize != 64 || shoff + (long) shnum * shentsize > ch.size()) {
            throw new BpfFormatException(elf + ": section header table out of bounds");
        }
        return read(ch, shoff, shnum * shentsize, elf);
    }

    private static ByteBuffer read(FileChannel ch, long off, int len, Path f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, off + b.position()) < 0) throw new BpfFormatException(f + ": truncated ELF file");
        }
        return b.flip();
    }

    /** Walks ELF notes (namesz, descsz, type, name, desc; 4-byte aligned) for the GNU build id. */
    static Optional<String> fromNotes(ByteBuffer b) {
        int p = 0;
        while (p + 12 <= b.limit()) {
            int namesz = b.getInt(p), descsz = b.getInt(p + 4), type = b.getInt(p + 8);
            if (namesz < 0 || descsz < 0) return Optional.empty();
            int name = p + 12, desc = name + align4(namesz), next = desc + align4(descsz);
            if (next > b.limit() || next <= p) return Optional.empty();
            if (type == NT_GNU_BUILD_ID && namesz == 4 && b.get(name) == 'G' && b.get(name + 1) == 'N' && b.get(name + 2) == 'U') {
                byte[] id = new byte[descsz];
                b.get(desc, id);
                return Optional.of(HexFormat.of().formatHex(id));
            }
            p = next;
        }
        return Optional.empty();
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }
}
