package io.bpf4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.fixtures.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code /proc/kallsyms} text from any bytes (read as ISO-8859-1, as {@link Kallsyms#load} reads
 * the file). The parser skips what is not a symbol line, so it must never throw; what it parses
 * printed back in kallsyms' format parses to the same symbols; {@link Kallsyms#symbolize} agrees
 * with a linear search; {@link Kallsyms#bpfProgs} are exactly the {@code [bpf]} module's
 * {@code bpf_prog_<tag>} symbols.
 */
class KallsymsFuzzTest {
    static int check(byte[] data) {
        Kallsyms k = Kallsyms.parse(new String(data, StandardCharsets.ISO_8859_1));
        List<Kallsyms.Symbol> syms = k.symbols();
        assertEquals(syms.size(), k.size());
        StringBuilder text = new StringBuilder();
        for (Kallsyms.Symbol s : syms) {
            assertTrue(s.name().indexOf('\n') < 0 && (s.module() == null || s.name().indexOf('\t') < 0), s.toString());
            text.append(Long.toHexString(s.address())).append(' ').append(s.type()).append(' ').append(s.name());
            if (s.module() != null) text.append("\t[").append(s.module()).append(']');
            text.append('\n');
        }
        assertEquals(syms, Kallsyms.parse(text.toString()).symbols(), "printed and parsed again");
        for (int i = 0; i < syms.size(); i++) {
            Kallsyms.Symbol s = syms.get(i);
            if (i > 0) assertTrue(Long.compareUnsigned(syms.get(i - 1).address(), s.address()) <= 0, "address order");
            Optional<Kallsyms.Symbol> at = k.symbolize(s.address());
            assertEquals(s.address(), at.orElseThrow().address(), "symbolize " + Long.toHexString(s.address()));
            assertEquals(lastAtOrBelow(syms, s.address() - 1), k.symbolize(s.address() - 1), "symbolize just below");
            Kallsyms.parseBpfProg(s).ifPresent(p -> assertTrue(p.tag().length() == 16 && s.name().startsWith("bpf_prog_" + p.tag())));
        }
        long bpf = syms.stream().filter(s -> "bpf".equals(s.module()) && Kallsyms.parseBpfProg(s).isPresent()).count();
        assertEquals(bpf, k.bpfProgs().size());
        assertEquals(!syms.isEmpty() && syms.getLast().address() != 0, k.addressesVisible());
        return syms.size();
    }

    private static Optional<Kallsyms.Symbol> lastAtOrBelow(List<Kallsyms.Symbol> syms, long addr) {
        Kallsyms.Symbol found = null;
        for (Kallsyms.Symbol s : syms) if (Long.compareUnsigned(s.address(), addr) <= 0) found = s;
        return Optional.ofNullable(found);
    }

    @FuzzTest
    void parse(byte[] data) {
        check(data);
    }

    @Test
    void theCommittedCorpusHoldsSymbols() {
        List<byte[]> inputs = FuzzInputs.of(KallsymsFuzzTest.class, "parse");
        int withSymbols = 0;
        for (byte[] in : inputs) if (check(in) > 0) withSymbols++;
        assertTrue(inputs.size() >= 10 && withSymbols * 2 >= inputs.size(), withSymbols + " of " + inputs.size() + " inputs hold symbols");
    }
}
