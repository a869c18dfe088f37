package io.bpf4j.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class KallsymsParseTest {
    /** A string that counts the characters read from it. */
    static final class Counting implements CharSequence {
        final String s;
        long reads;

        Counting(String s) {
            this.s = s;
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public char charAt(int i) {
            reads++;
            return s.charAt(i);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            reads += to - from;
            return s.subSequence(from, to);
        }

        @Override
        public String toString() {
            return s;
        }
    }

    @Test
    void manyCoreSymbolsBeforeTheFirstModuleSymbolParseReadingEachCharacterAFewTimes() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++) sb.append(String.format("ffffffff81%06x T core_function_%d%n", i, i));
        sb.append("ffffffffc0001000 t bpf_prog_0123456789abcdef_entry\t[bpf]\n");
        Counting text = new Counting(sb.toString());
        Kallsyms k = Kallsyms.parse(text);
        // Linear: each character is scanned by its line's searches and copied once into a name.
        // A search that ran on to the module symbol at the end would read ~10^11 characters.
        assertTrue(text.reads <= 3L * text.length(), text.reads + " reads of " + text.length() + " characters");
        assertEquals(200_001, k.size());
        assertNull(k.first("core_function_7").orElseThrow().module());
        assertEquals(0xffffffff81000007L, k.first("core_function_7").orElseThrow().address());
        Kallsyms.Symbol bpf = k.first("bpf_prog_0123456789abcdef_entry").orElseThrow();
        assertEquals("bpf", bpf.module());
        assertEquals('t', bpf.type());
        assertEquals("entry", Kallsyms.parseBpfProg(bpf).orElseThrow().name());
    }

    @Test
    void linesThatAreNotSymbolsAreSkipped() {
        Kallsyms k = Kallsyms.parse("""
                not a symbol line
                zzzz T bad_address
                ffffffff81000000 T _text
                ffffffffc0002000 t with_module\t[xfs]
                ffffffffc0003000 t tab_without_module\t
                0123456789abcdef0 T address_too_long

                """);
        assertEquals(3, k.size());
        assertEquals("xfs", k.first("with_module").orElseThrow().module());
        assertNull(k.first("tab_without_module").orElseThrow().module());
        assertEquals(0xffffffff81000000L, k.first("_text").orElseThrow().address());
    }

    /** Found by fuzzing: a tab right after the type gave a symbol without a name, which no printing of it parses back to. */
    @Test
    void aLineWithoutANameIsNotASymbol() {
        Kallsyms k = Kallsyms.parse("ffffffff81000000 T \t\u0000_alias\nffffffff81000010 T \t[mod]\nffffffff81000020 T x\t[mod]\n");
        assertEquals(1, k.size());
        assertEquals("x", k.symbols().getFirst().name());
    }
}
