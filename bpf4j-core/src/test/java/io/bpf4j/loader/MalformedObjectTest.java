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
 * check that concerns it, in one printable line. They are ObjectFuzzTest's findings, read from
 * its regression inputs (finding-NAME.o), which it also replays.
 */
class MalformedObjectTest {
    static byte[] bytes(String name) throws IOException {
        try (InputStream in = MalformedObjectTest.class.getResourceAsStream(
                "/io/bpf4j/loader/ObjectFuzzTestInputs/parseAndRelocate/finding-" + name + ".o")) {
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
        assertEquals("map pinned_lru member pinning: unknown pinning 3539992577 (0 none, 1 by name)", refusal("pinning-2pow31"));
    }

    /**
     * many.bpf.o with function sock_24's st_value at 2^63 and more (value + size wrapped below the
     * section's size) and a mutated .text: refused in one line, the first defect the parser meets
     * (it decodes each code section before it cuts it into functions), never an index exception.
     */
    @Test
    void aFunctionWhoseEndWrapsPastTwoToTheSixtyFourIsOutsideItsSection() throws IOException {
        assertEquals("section .text: insn 42 (code 0xb4): reserved field off is 2048, must be 0", refusal("function-past-section"));
    }

    /**
     * A fuzzer's object whose .bss (SHT_NOBITS) claims 1.6 GB: the zeros cost the file nothing,
     * and were allocated (OutOfMemoryError under a 1 GB heap) before any check saw the size.
     */
    @Test
    void aBssOfGigabytesIsRefusedBeforeAnyIsAllocated() throws IOException {
        assertEquals("ELF: section .bss: 1600085928 bytes of zeros, more than 67108864", refusal("huge-bss"));
    }

    /**
     * A fuzzer's object whose relocated code section claims 197 GB: its slot table was sized from
     * the header (NegativeArraySizeException) before any check saw the size.
     */
    @Test
    void aCodeSectionTooLargeForInstructionsIsRefusedBeforeItsRelocationsAreIndexed() throws IOException {
        assertEquals("section \\x01: size 197568497008 is too large for code", refusal("code-section-too-large"));
    }

    /**
     * A fuzzer's object with a CO-RE relocation of a bitfield whose type has size 0: the bitfield's
     * load size was divided by it (ArithmeticException) while relocating against a kernel's BTF.
     */
    @Test
    void aBitfieldWhoseTypeHasNoSizeIsAFormatErrorWhenRelocated() throws IOException {
        ObjectSpec spec = ObjectSpec.parse(bytes("bitfield-of-size-zero"), "x");
        java.util.List<String> refusals = new java.util.ArrayList<>();
        for (io.bpf4j.ProgramSpec p : spec.programs()) {
            if (p.coreRelos().isEmpty()) continue;
            try {
                new io.bpf4j.btf.core.CoreRelocator(spec.btf(), io.bpf4j.btf.core.CoreRelocatorTest.fakeKernel())
                        .relocate(p.instructions(), p.coreRelos());
            } catch (BpfFormatException e) {
                assertTrue(Escape.isPrintable(e.getMessage()) && e.getMessage().indexOf('\n') < 0, e.getMessage());
                refusals.add(e.getMessage());
            }
        }
        assertTrue(refusals.contains("CO-RE: bitfield field_not_in_any_kernel has a type of size 0"), refusals.toString());
    }
}
