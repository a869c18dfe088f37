package io.bpf4j.cli.support;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ConventionsTextTest {
    @Test
    void descriptionLinesBecomeParagraphsAndIndentedLinesStay() {
        assertArrayEquals(new String[] {"One sentence over two lines. Another.", "", "Exit status: 0.", "  bpf4j vm run -- x"},
                Conventions.paragraphs(new String[] {"One sentence over", "two lines. Another.", "", "Exit status: 0.", "  bpf4j vm run -- x"}));
    }

    @Test
    void paragraphsWrapAtSpacesWithinTheWidth() {
        assertArrayEquals(new String[] {"a C header", "(vmlinux.h)", "with c."}, Conventions.wrap(new String[] {"a C header (vmlinux.h) with c."}, 11));
        assertArrayEquals(new String[] {"", "  kept as it is, however long"}, Conventions.wrap(new String[] {"", "  kept as it is, however long"}, 5));
    }

    @Test
    void theFirstSentenceEndsAtAPeriodBeforeASpaceNotAtAnAbbreviation() {
        assertEquals("Show the usage, e.g. bpf4j help vm run.", Conventions.firstSentence("Show the usage, e.g. bpf4j help vm run. More."));
        assertEquals("Dump vmlinux.h files.", Conventions.firstSentence("Dump vmlinux.h files. Then more."));
        assertEquals("No period at all", Conventions.firstSentence("No period at all"));
    }

    @Test
    void oneLineEscapesControlCharactersAndJoinsLines() {
        assertEquals("first; second", Errors.oneLine("first\nsecond\n"));
        assertEquals("a: b", Errors.oneLine("a:\n  b"));
        assertEquals("name \\x1b[31mred", Errors.oneLine("name \u001b[31mred"));
        assertEquals("tab here", Errors.oneLine("tab\there"));
        assertEquals("plain", Errors.oneLine("plain"));
    }

    @Test
    void capabilitiesComeFromCapEff() {
        Capabilities none = Capabilities.parse("Name:\tx\nCapEff:\t0000000000000000\n");
        var e = assertThrows(io.bpf4j.BpfException.class, () -> none.requireBpf(Capabilities.CAP_PERFMON));
        assertEquals("needs root or CAP_BPF+CAP_PERFMON; this process lacks CAP_BPF, CAP_PERFMON (it has no capabilities: run it as root, e.g. with sudo)",
                e.getMessage());
        Capabilities bpf = Capabilities.parse("CapEff:\t0000008000000000\n");
        assertTrue(bpf.has(Capabilities.CAP_BPF));
        assertEquals("needs root or CAP_BPF+CAP_PERFMON; this process lacks CAP_PERFMON",
                assertThrows(io.bpf4j.BpfException.class, () -> bpf.requireBpf(Capabilities.CAP_PERFMON)).getMessage());
        Capabilities.parse("CapEff:\t000001fffeffffff\n").requireBpf(Capabilities.CAP_PERFMON, Capabilities.CAP_NET_ADMIN);
        Capabilities.parse("CapEff:\t0000000000200000\n").requireBpf(Capabilities.CAP_PERFMON); // CAP_SYS_ADMIN alone suffices
    }
}
