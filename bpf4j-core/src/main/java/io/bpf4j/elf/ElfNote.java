package io.bpf4j.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One ELF note (namesz, descsz, type, name, desc, each part 4-byte aligned): a GNU build id, a
 * kernel's VMCOREINFO text...
 *
 * @param name the owner, without its NUL, e.g. {@code "GNU"}
 */
public record ElfNote(String name, int type, byte[] desc) {
    /**
     * The notes of a note section or segment, or of {@code /sys/kernel/notes}, little endian.
     * Parsing stops at the first note that does not fit, keeping the ones before it.
     */
    public static List<ElfNote> parse(byte[] b) {
        List<ElfNote> out = new ArrayList<>();
        long p = 0;
        while (p + 12 <= b.length) {
            int at = (int) p;
            long namesz = ElfFile.u32(b, at) & 0xffffffffL, descsz = ElfFile.u32(b, at + 4) & 0xffffffffL;
            int type = ElfFile.u32(b, at + 8);
            long name = p + 12, desc = name + align4(namesz), next = desc + align4(descsz);
            if (next > b.length || name + namesz > b.length) break;
            int n = (int) namesz;
            while (n > 0 && b[(int) name + n - 1] == 0) n--;
            out.add(new ElfNote(new String(b, (int) name, n, StandardCharsets.ISO_8859_1), type,
                    Arrays.copyOfRange(b, (int) desc, (int) (desc + descsz))));
            p = next;
        }
        return out;
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }
}
