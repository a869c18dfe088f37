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
 * GNU build ids: of the running kernel ({@code /sys/kernel/notes}) and of a vmlinux file (its
 * SHT_NOTE sections). They tell whether a DWARF vmlinux is the running kernel's: a vmlinux of
 * another build gives file:line that look right and are wrong.
 */
final class BuildId {
    private BuildId() {}

    static final int NT_GNU_BUILD_ID = 3, SHT_NOTE = 7;

    /** The running kernel's build id, if /sys/kernel/notes can be read (root, Linux 2.6.23+). */
    static Optional<String> running() {
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
    static Optional<String> ofElf(Path elf) throws IOException {
        try (FileChannel ch = FileChannel.open(elf, StandardOpenOption.READ)) {
            ByteBuffer eh = read(ch, 0, 64, elf);
            if (eh.getInt(0) != 0x464c457f) throw new BpfFormatException(elf + ": not an ELF file");
            if (eh.get(4) != 2 || eh.get(5) != 1) throw new BpfFormatException(elf + ": not a 64-bit little-endian ELF file");
            long shoff = eh.getLong(0x28);
            int shentsize = Short.toUnsignedInt(eh.getShort(0x3a)), shnum = Short.toUnsignedInt(eh.getShort(0x3c));
            if (shoff <= 0 || shnum == 0 || shentsize < 64 || shoff + (long) shnum * shentsize > ch.size()) {
                throw new BpfFormatException(elf + ": section header table out of bounds");
            }
            ByteBuffer sh = read(ch, shoff, shnum * shentsize, elf);
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
