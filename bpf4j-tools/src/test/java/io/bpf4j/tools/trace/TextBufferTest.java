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
