package io.bpf4j.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Mutated objects that once escaped ObjectSpec's checks as an ArrayIndexOutOfBoundsException
 * (caught only by its safety net, "malformed object: java.lang..."): each must be refused by the
 * check that concerns it, in one printable line.
 */
class MalformedObjectTest {
    static byte[] bytes(String name) throws IOException {
        try (InputStream in = MalformedObjectTest.class.getResourceAsStream("/io/bpf4j/loader/malformed/" + name)) {
            return in.readAllBytes();
        }
    }

    static String refusal(String name) throws IOException {
        byte[] b = bytes(name);
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> ObjectSpec.parse(b, "x"));
        String m = e.getMessage();
        assertFalse(m.startsWith("malformed object: "), "only the safety net caught it: " + m);
        assertTrue(Escape.isPrintable(m) && m.indexOf('\n') < 0, m);
        return m;
    }

    /** maps.bpf.o with a map's __uint(pinning, N) at N = 0xd3000001: above 2^31 it read as negative. */
    @Test
    void aPinningOfTwoToTheThirtyFirstOrMoreIsUnknown() throws IOException {
        assertEquals("map pinned_lru member pinning: unknown pinning 3539992577 (0 none, 1 by name)", refusal("pinning-2pow31.bpf.o"));
    }

    /**
     * many.bpf.o with function sock_24's st_value at 2^63 and more (value + size wrapped below the
     * section's size) and a mutated .text: refused in one line, the first defect the parser meets
     * (it decodes each code section before it cuts it into functions), never an index exception.
     */
    @Test
    void aFunctionWhoseEndWrapsPastTwoToTheSixtyFourIsOutsideItsSection() throws IOException {
        assertEquals("section .text: insn 42 (code 0xb4): reserved field off is 2048, must be 0", refusal("function-past-section.bpf.o"));
    }

    /**
     * A fuzzer's object whose .bss (SHT_NOBITS) claims 1.6 GB: the zeros cost the file nothing,
     * and were allocated (OutOfMemoryError under a 1 GB heap) before any check saw the size.
     */
    @Test
    void aBssOfGigabytesIsRefusedBeforeAnyIsAllocated() throws IOException {
        assertEquals("ELF: section .bss: 1600085928 bytes of zeros, more than 67108864", refusal("huge-bss.bpf.o"));
    }
}
