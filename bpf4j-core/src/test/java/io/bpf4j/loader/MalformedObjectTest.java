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

    /** many.bpf.o with function sock_24's st_value at 2^63 and more: value + size wrapped below the section's size. */
    @Test
    void aFunctionWhoseEndWrapsPastTwoToTheSixtyFourIsOutsideItsSection() throws IOException {
        assertEquals("function sock_24 [10520408729537479592, +10354792) is not whole instructions inside socket", refusal("function-past-section.bpf.o"));
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
