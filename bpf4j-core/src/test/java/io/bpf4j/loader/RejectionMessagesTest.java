package io.bpf4j.loader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Names in error messages come from the file: mutants of the committed objects whose ELF and BTF
 * string tables hold terminal escapes and control characters, with one more corruption
 * elsewhere so that most are refused. Every refusal must be one printable line, and many must
 * name a mutated string (escaped), or the test would not show what it claims.
 */
class RejectionMessagesTest {
    private static final byte[][] NASTY = {{0x1b, '[', '2', 'J'}, {0x1b, ']', '0', ';'}, {0x07}, {'\n'}, {'\r'}, {0x7f}, {(byte) 0xc2, (byte) 0x9b}, {0x08}};

    static byte[] object(String name) throws IOException {
        try (InputStream in = RejectionMessagesTest.class.getResourceAsStream("/io/bpf4j/loader/" + name)) {
            return in.readAllBytes();
        }
    }

    /** [offset, length) of the string tables: ELF section names and symbols, and BTF's strings. */
    static List<int[]> stringTables(byte[] obj) {
        ElfFile elf = ElfFile.parse(obj);
        List<int[]> out = new java.util.ArrayList<>();
        for (ElfSection s : elf.sections()) {
            int off = (int) s.offset(); // a test object: far below 2 GiB
            if (s.type() == ElfFile.SHT_STRTAB) out.add(new int[] {off, (int) s.size()});
            if (s.name().equals(".BTF")) {
                ByteBuffer h = ByteBuffer.wrap(obj, off, 24).order(ByteOrder.LITTLE_ENDIAN);
                int hdr = h.getInt(off + 4), strOff = h.getInt(off + 16), strLen = h.getInt(off + 20);
                out.add(new int[] {off + hdr + strOff, strLen});
            }
        }
        return out;
    }

    @Test
    void refusalsOfObjectsWithEscapesInTheirNamesAreOnePrintableLine() throws IOException {
        SplittableRandom rnd = new SplittableRandom(0x1b);
        int refused = 0, namingEscapes = 0, total = 0;
        for (String name : List.of("globals.bpf.o", "core.bpf.o", "maps.bpf.o", "lab.bpf.o", "many.bpf.o")) {
            byte[] orig = object(name);
            List<int[]> tables = stringTables(orig);
            for (int i = 0; i < 200; i++, total++) {
                byte[] b = orig.clone();
                for (int k = rnd.nextInt(1, 6); k > 0; k--) {
                    int[] t = tables.get(rnd.nextInt(tables.size()));
                    byte[] nasty = NASTY[rnd.nextInt(NASTY.length)];
                    int at = t[0] + 1 + rnd.nextInt(Math.max(1, t[1] - nasty.length - 2));
                    // Only over a name's own bytes: a NUL overwritten would merge two names.
                    boolean inside = true;
                    for (int j = 0; j < nasty.length; j++) inside &= b[at + j] != 0;
                    if (inside) System.arraycopy(nasty, 0, b, at, nasty.length);
                }
                if (rnd.nextInt(4) != 0) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                try {
                    ObjectSpec.parse(b, "x");
                } catch (BpfFormatException e) {
                    String m = e.getMessage();
                    assertTrue(Escape.isPrintable(m), name + " mutant " + i + ": " + Escape.text(m));
                    assertTrue(!m.startsWith("malformed object: "), name + " mutant " + i + ": " + m);
                    refused++;
                    if (m.contains("\\x1b") || m.contains("\\x07") || m.contains("\\n") || m.contains("\\x9b") || m.contains("\\x08")) namingEscapes++;
                }
            }
        }
        assertTrue(refused > total / 4 && namingEscapes > 20, refused + " of " + total + " refused, " + namingEscapes + " naming an escaped string");
    }
}
