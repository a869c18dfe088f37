package io.bpf4j.btf;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The layout rules of bpftool's json_writer, and the raw text bpftool prints around it. */
class ValueWriterTest {
    @Test
    void prettyLayoutPutsMembersOnLinesAndArrayElementsOnOne() {
        ValueWriter w = ValueWriter.text();
        w.beginArray();
        w.beginObject();
        w.name("key");
        w.unsigned(1);
        w.name("empty");
        w.beginArray();
        w.endArray();
        w.name("obj");
        w.beginObject();
        w.endObject();
        w.name("list");
        w.beginArray();
        w.signed(-1);
        w.signed(2);
        w.endArray();
        w.endObject();
        w.endArray();
        assertEquals("[{\n        \"key\": 1,\n        \"empty\": [],\n        \"obj\": {},\n        \"list\": [-1,2\n        ]\n    }\n]",
                w.toString());
    }

    @Test
    void numbersAtTheirLimitsAndStringsEscaped() {
        ValueWriter w = ValueWriter.json();
        w.beginArray();
        w.unsigned(-1L);
        w.unsigned(Long.MIN_VALUE);
        w.unsigned(0);
        w.signed(Long.MIN_VALUE);
        w.signed(Long.MAX_VALUE);
        w.bits(0, 0);
        w.bits(1, 0xabL);
        w.pointer(-1L);
        w.string("a\"b\\c\td\u0001");
        w.bool(false);
        w.nullValue();
        w.endArray();
        assertEquals("[18446744073709551615,9223372036854775808,0,-9223372036854775808,9223372036854775807,"
                + "\"0x0\",\"0x100000000000000ab\",18446744073709551615,\"a\\\"b\\\\c\\td\\u0001\",false,null]", w.toString());
        ValueWriter t = ValueWriter.text();
        t.beginArray();
        t.pointer(0);
        t.pointer(0xffffL);
        t.bits(0, 0x1f);
        t.character(0x80);
        t.endArray();
        assertEquals("[\"(nil)\",\"0xffff\",0x1f,0x80\n]", t.toString());
    }

    @Test
    void hexLinesAsBpftoolsFprintHexWithIndentedNesting() {
        byte[] b = new byte[20];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i + 0xf0);
        ValueWriter w = new ValueWriter(null, true, true);
        w.raw("value:\n").rawHexBytes(MemorySegment.ofArray(b), 0, 20).newline();
        w.indent(4);
        w.raw("inner").newline();
        w.beginArray();
        w.beginObject();
        w.name("a");
        w.unsigned(1);
        w.endObject();
        w.endArray();
        w.newline();
        w.indent(0);
        w.raw("Found 1 element").newline();
        assertEquals("value:\nf0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff\n00 01 02 03\n"
                + "    inner\n    [{\n            \"a\": 1\n        }\n    ]\nFound 1 element\n", w.toString());
    }

    @Test
    void aStreamGetsEverythingInPiecesAndTheFinalNewline() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ValueWriter w = new ValueWriter(out, false, false);
        StringBuilder expect = new StringBuilder("[");
        w.beginArray();
        for (int i = 0; i < 100_000; i++) {
            w.unsigned(i);
            expect.append(i == 0 ? "" : ",").append(i);
        }
        w.endArray();
        w.finish();
        expect.append("]\n");
        assertEquals(expect.toString(), out.toString(StandardCharsets.US_ASCII));
        assertThrows(IllegalStateException.class, w::endArray);
    }
}
