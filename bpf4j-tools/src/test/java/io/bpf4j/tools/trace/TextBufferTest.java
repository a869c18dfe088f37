package io.bpf4j.tools.trace;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class TextBufferTest {
    @Test
    void numbersReadAsTheJdkWritesThem() {
        long[] values = {0, 1, 9, 10, 99, 100, 12345, -1, -10, 999_999_999_999L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            0xffffffff81200005L, 0x10, 0xf, 1L << 32};
        for (long v : values) {
            assertEquals(Long.toString(v), new TextBuffer(1).append(v).toString());
            assertEquals(Long.toHexString(v), new TextBuffer(1).appendHex(v).toString());
        }
        assertEquals("000042", new TextBuffer(1).appendZeroPadded(42, 6).toString());
        assertEquals("1234567", new TextBuffer(1).appendZeroPadded(1234567, 6).toString(), "wider than the width: all digits");
    }

    @Test
    void everyDigitCountAndItsNeighboursReadAsTheJdkWritesThem() {
        // Each power of ten, one less and one more (where the digit count changes and where the
        // int path and the per-nine-digits long path meet), and random values of every length.
        java.util.Random r = new java.util.Random(42);
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
            for (long v : new long[] {p - 1, p, p + 1, -p, r.nextLong(p, p <= Long.MAX_VALUE / 10 ? p * 10 : Long.MAX_VALUE)}) {
                assertEquals(Long.toString(v), new TextBuffer(1).append(v).toString());
                if (v >= 0) assertEquals(Long.toString(v).length(), TextBuffer.digits(v), "digits of " + v);
                if (v >= 0) assertEquals(String.format("%020d", v), new TextBuffer(1).appendZeroPadded(v, 20).toString());
            }
            if (p > Long.MAX_VALUE / 10) break;
        }
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertEquals(Long.toString(v), new TextBuffer(1).append(v).toString());
        }
    }

    @Test
    void paddingOfEveryWidthIncludingWiderThanItsRow() {
        for (int n = -1; n <= 300; n++) {
            String want = n <= 0 ? "" : " ".repeat(n);
            assertEquals("x" + want + "y", new TextBuffer(1).append('x').spaces(n).append('y').toString());
            assertEquals("x" + want.replace(' ', '0') + "y", new TextBuffer(1).append('x').repeat('0', n).append('y').toString());
            assertEquals(want.replace(' ', '='), new TextBuffer(1).repeat('=', n).toString());
        }
    }

    @Test
    void aCutIsCountedInCharsAsStringLengthCountsThem() {
        String s = "a‼é\uD83D\uDE00b…" + "x".repeat(20);
        TextBuffer b = new TextBuffer(2).append(s);
        for (int w = 0; w <= s.length() + 1; w++) {
            // A cut never splits a pair: at width 4 the pair (chars 3 and 4) is left out whole.
            String want = s.substring(0, Math.min(w, s.length()));
            if (w == 4) want = s.substring(0, 3);
            assertEquals(want, new String(b.toByteArray(), 0, b.indexOfChar(w), StandardCharsets.UTF_8), "width " + w);
            assertEquals("[" + want, new TextBuffer(1).append('[').append(b, b.indexOfChar(w)).toString());
        }
        assertEquals(b.length(), b.indexOfChar(s.length()), "as many chars as it holds: all of it");
        // ASCII-only text (bytes are chars) and bytes that came in encoded are cut alike.
        b.clear();
        b.appendAscii(TextBuffer.utf8("abc")).append(12).spaces(2).appendHex(255);
        assertEquals("abc12 ", new String(b.toByteArray(), 0, b.indexOfChar(6), StandardCharsets.UTF_8));
        assertEquals(b.length(), b.indexOfChar(100));
        b.append(TextBuffer.utf8("é‼z"));
        assertEquals("abc12  ffé‼", new String(b.toByteArray(), 0, b.indexOfChar(11), StandardCharsets.UTF_8));
        assertTrue(TextBuffer.isAscii(TextBuffer.utf8(".map_type=")));
        assertFalse(TextBuffer.isAscii(TextBuffer.utf8(".é=")));
    }

    @Test
    void textIsUtf8IncludingSurrogatePairs() {
        String s = "‼ → ← ↔ é \uD83D\uDE00 plain";
        TextBuffer b = new TextBuffer(2); // grows many times
        b.append(s).append('é').append(TextBuffer.utf8("ok")).repeat('-', 3).padRight("ab", 4).append('|');
        String expected = s + "éok---ab  |";
        assertEquals(expected, b.toString());
        assertEquals(expected.getBytes(StandardCharsets.UTF_8).length, b.length());
    }

    @Test
    void writeToSendsTheBytesInOneCallAndClearReuses() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextBuffer b = new TextBuffer(4);
        b.append("first\n");
        b.writeTo(out);
        b.clear();
        b.append("second\n");
        b.writeTo(out);
        assertEquals("first\nsecond\n", out.toString(StandardCharsets.UTF_8));
    }
}
