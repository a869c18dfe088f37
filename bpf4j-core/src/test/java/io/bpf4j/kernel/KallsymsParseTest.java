package io.bpf4j.kernel;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class KallsymsParseTest {
    @Test
    void manyCoreSymbolsBeforeTheFirstModuleSymbolParseInLinearTime() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++) sb.append(String.format("ffffffff81%06x T core_function_%d%n", i, i));
        sb.append("ffffffffc0001000 t bpf_prog_0123456789abcdef_entry\t[bpf]\n");
        String text = sb.toString();
        Kallsyms k = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Kallsyms.parse(text));
        assertEquals(200_001, k.size());
        assertNull(k.first("core_function_7").orElseThrow().module());
        Kallsyms.Symbol bpf = k.first("bpf_prog_0123456789abcdef_entry").orElseThrow();
        assertEquals("bpf", bpf.module());
        assertEquals("entry", Kallsyms.parseBpfProg(bpf).orElseThrow().name());
    }
}
