package io.bpf4j.btf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.loader.ObjectSpec;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Values formatted by the BTF clang wrote for src/test/bpf/mapdump.bpf.c, and by BTF built in
 * code for the encodings clang does not emit (pre-kind_flag bitfields, ENUM64, CHAR-encoded
 * ints). The expected texts are bpftool 7.1's output for the same bytes and BTF (map dump of
 * the same struct), with pointers quoted as bpftool prints them since v7.3.
 */
class BtfValueFormatterTest {
    static final Btf OBJ = ObjectSpec.resource("/io/bpf4j/loader/mapdump.bpf.o").btf();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Integers of any class as BigInteger, so a parsed document compares with a tree. */
    static Object norm(Object o) {
        if (o instanceof Integer || o instanceof Long) return BigInteger.valueOf(((Number) o).longValue());
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> r = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> r.put(k, norm(v)));
            return r;
        }
        if (o instanceof List<?> l) return l.stream().map(BtfValueFormatterTest::norm).toList();
        return o;
    }

    static int type(Btf btf, String name, BtfKind kind) {
        return btf.findByName(name, kind).orElseThrow().id();
    }

    /** struct stats as MapDumpBpftoolTest writes it into d_array[1]. */
    static byte[] stats() {
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 7);
        b.put(4, "hello".getBytes(StandardCharsets.US_ASCII));
        b.put(20, new byte[] {'a', 'b', 1, 'c'});
        b.putInt(24, 0xffffffff); // color: BLUE = -1
        b.putLong(32, 1); // wide: NARROW
        b.put(40, (byte) 1).put(41, (byte) 0xfe).putShort(42, (short) -3).putLong(48, -5).putLong(56, -1);
        b.put(64, (byte) (5 | 0x1f << 3)); // flags:3 = 5, level:5 = 0x1f
        b.put(65, (byte) 5); // packed_color:4 = GREEN
        b.putInt(68, 1).putInt(72, 2).putInt(76, 3);
        b.putShort(80, (short) 1).putShort(82, (short) 2).putShort(84, (short) 3).putShort(86, (short) 4);
        b.putInt(88, 0x01020304).putInt(92, 10).putInt(96, 11).putShort(100, (short) 20).putShort(102, (short) 21);
        b.putInt(104, 99).putLong(112, 0xffff888000001000L).putLong(128, 5).putLong(136, 1);
        return b.array();
    }

    static final String STATS_TEXT = """
            {
                "id": 7,
                "comm": "hello",
                "tag": [97,98,1,99
                ],
                "color": "BLUE",
                "wide": "NARROW",
                "seen": true,
                "delta": -2,
                "s16": -3,
                "s64": -5,
                "packets": 18446744073709551615,
                "flags": 0x5,
                "level": 0x1f,
                "packed_color": 0x5,
                "counts": [1,2,3
                ],
                "matrix": [[1,2
                    ],[3,4
                    ]
                ],
                "w": {
                    "u": 16909060,
                    "b": [4,3,2,1
                    ]
                },
                "pair": {
                    "a": 10,
                    "b": 11
                },
                "": {
                    "x": 20,
                    "y": 21
                },
                "cv": 99,
                "next": "0xffff888000001000",
                "big": 0x10000000000000005
            }""";

    @Test
    void structOfEveryMemberKindPrintsAsBpftoolText() {
        BtfValueFormatter f = new BtfValueFormatter(OBJ);
        int stats = type(OBJ, "stats", BtfKind.STRUCT);
        assertEquals(144, f.size(stats));
        assertEquals(STATS_TEXT, f.text(stats, stats()));
    }

    @Test
    void jsonIsValidAndHoldsTheSameValuesAsTheTree() throws Exception {
        BtfValueFormatter f = new BtfValueFormatter(OBJ);
        int stats = type(OBJ, "stats", BtfKind.STRUCT);
        String json = f.json(stats, stats());
        assertTrue(json.startsWith("{\"id\":7,\"comm\":\"hello\",\"tag\":[97,98,1,99],"), json);
        assertTrue(json.contains("\"flags\":\"0x5\",\"level\":\"0x1f\""), json);
        assertTrue(json.contains("\"next\":18446612682070036480,\"big\":\"0x10000000000000005\"}"), json);
        Object parsed = JSON.readValue(json, Object.class);
        Object tree = f.tree(stats, stats());
        assertEquals(norm(parsed), norm(tree));
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) tree;
        assertEquals(new BigInteger("18446744073709551615"), m.get("packets"));
        assertEquals(-5L, m.get("s64"));
        assertEquals(List.of(List.of(1L, 2L), List.of(3L, 4L)), m.get("matrix"));
        assertEquals(Map.of("x", 20L, "y", 21L), m.get(""));
        assertEquals(List.copyOf(m.keySet()), List.of("id", "comm", "tag", "color", "wide", "seen", "delta", "s16",
                "s64", "packets", "flags", "level", "packed_color", "counts", "matrix", "w", "pair", "", "cv", "next", "big"));
    }

    @Test
    void kindFlagBitfieldsOfAKeyStruct() {
        BtfValueFormatter f = new BtfValueFormatter(OBJ);
        int key = type(OBJ, "flow_key", BtfKind.STRUCT);
        byte[] b = new byte[14];
        b[0] = 10; b[3] = 1; b[4] = (byte) 0x90; b[5] = 0x1f; // src 10.0.0.1:8080
        b[12] = 6; // proto
        b[13] = (byte) (1 | 0x55 << 1); // dir:1 = 1, spare:7 = 0x55
        assertEquals("{\"src\":{\"octets\":[10,0,0,1],\"port\":8080},\"dst\":{\"octets\":[0,0,0,0],\"port\":0},"
                + "\"proto\":6,\"dir\":\"0x1\",\"spare\":\"0x55\"}", f.json(key, b));
    }

    @Test
    void globalDataSectionIsAnObjectOfVariables() {
        BtfValueFormatter f = new BtfValueFormatter(OBJ);
        int data = type(OBJ, ".data", BtfKind.DATASEC);
        byte[] b = new byte[16];
        b[0] = 5;
        b[8] = 'h';
        b[9] = 'i';
        assertEquals("""
                {
                    ".data": [{
                            "d_counter": 5
                        },{
                            "d_greeting": "hi"
                        }
                    ]
                }""", f.text(data, b));
    }

    @Test
    void charArraysAreStringsOnlyWhenNulTerminatedAndPrintable() {
        BtfValueFormatter f = new BtfValueFormatter(OBJ);
        int stats = type(OBJ, "stats", BtfKind.STRUCT);
        byte[] v = stats();
        System.arraycopy("0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 0, v, 4, 16); // comm without NUL
        v[20] = 0; // tag: "" (NUL first)
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) f.tree(stats, v);
        assertEquals(List.of(48L, 49L, 50L, 51L, 52L, 53L, 54L, 55L, 56L, 57L, 97L, 98L, 99L, 100L, 101L, 102L), m.get("comm"));
        assertEquals("", m.get("tag"));
        v[20] = 'x';
        v[21] = (byte) 0xc3; // not ASCII: signed char -61
        v[22] = 0;
        m = cast(f.tree(stats, v));
        assertEquals(List.of(120L, -61L, 0L, 99L), m.get("tag"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    /** Kinds and encodings clang 14 does not write, in BTF built here. */
    @Test
    void oldBitfieldEncodingEnum64CharAndFloat() throws Exception {
        BtfBuilder b = new BtfBuilder();
        int u32 = b.addInt("unsigned int", 4, 0);
        int u3 = b.add(new Int(0, "unsigned int", 4, 0, 0, 3)); // pre-kind_flag bitfield: a 3-bit INT
        int s5at3 = b.add(new Int(0, "int", 4, Int.SIGNED, 3, 5)); // an INT with its own bit offset
        int chr = b.addInt("char", 1, Int.CHAR);
        int bool = b.addInt("_Bool", 1, Int.BOOL);
        int e64 = b.addEnum64("big", 8, false, List.of(new EnumValue("SMALL", 1), new EnumValue("HUGE", 0x100000000L)));
        int dbl = b.addFloat("double", 8);
        int flt = b.addFloat("float", 4);
        int tchar = b.addTypedef("ch", chr);
        int tarr = b.addArray(tchar, u32, 3);
        int s = b.addStruct("s", 40, List.of(
                new Member("a", u3, 0, 0), new Member("b", s5at3, 3, 0), new Member("c", u3, 11, 0),
                new Member("ch", chr, 32, 0), new Member("bad", chr, 40, 0), new Member("flag", bool, 48, 0),
                new Member("e", e64, 64, 0), new Member("d", dbl, 128, 0), new Member("f", flt, 192, 0),
                new Member("t", tarr, 224, 0), new Member("e2", e64, 256, 0)));
        Btf btf = b.build();
        ByteBuffer v = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        v.putShort(0, (short) (6 | 0x15 << 6 | 5 << 11)); // a = 6; b (member at bit 3, INT offset 3): bits 6..10 = 0x15; c: bits 11..13 = 5
        v.put(4, (byte) 'q').put(5, (byte) 7).put(6, (byte) 2);
        v.putLong(8, 0x100000000L).putDouble(16, 1.5).putFloat(24, -0.25f);
        v.put(28, (byte) 'h').put(29, (byte) 'i').put(30, (byte) 0);
        v.putLong(32, 3);
        BtfValueFormatter f = new BtfValueFormatter(btf);
        assertEquals("{\"a\":\"0x6\",\"b\":\"0x15\",\"c\":\"0x5\",\"ch\":\"q\",\"bad\":\"\\u0007\",\"flag\":true,"
                + "\"e\":\"HUGE\",\"d\":1.5,\"f\":-0.25,\"t\":[\"h\",\"i\",\"\\u0000\"],\"e2\":3}", f.json(s, v.array()));
        String text = f.text(s, v.array());
        assertTrue(text.contains("\"a\": 0x6,\n    \"b\": 0x15,\n    \"c\": 0x5,\n    \"ch\": \"q\",\n    \"bad\": 0x7,"), text);
        assertEquals(norm(JSON.readValue(f.json(s, v.array()), Object.class)), norm(f.tree(s, v.array())));
    }

    @Test
    void unnamedEnumValuesAndSignedness() {
        BtfBuilder b = new BtfBuilder();
        int e8 = b.addEnum("e8", 1, true, List.of(new EnumValue("NEG", -1)));
        int e4 = b.addEnum("e4", 4, false, List.of(new EnumValue("TOP", 0x80000000L)));
        int s = b.addStruct("s", 8, List.of(new Member("x", e8, 0, 0), new Member("y", e4, 32, 0)));
        BtfValueFormatter f = new BtfValueFormatter(b.build());
        assertEquals("{\"x\":\"NEG\",\"y\":\"TOP\"}", f.json(s, new byte[] {-1, 0, 0, 0, 0, 0, 0, (byte) 0x80}));
        // A value without a name prints as a signed number of the enum's size, as bpftool does.
        assertEquals("{\"x\":-2,\"y\":-1}", f.json(s, new byte[] {-2, 0, 0, 0, -1, -1, -1, -1}));
    }

    @Test
    void shortDataIsRefusedAndMalformedStructsAreFormatErrors() {
        BtfValueFormatter f = new BtfValueFormatter(OBJ);
        int stats = type(OBJ, "stats", BtfKind.STRUCT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.json(stats, new byte[143]));
        assertEquals("BTF type [" + stats + "] needs 144 bytes, 143 given", e.getMessage());
        assertThrows(BpfFormatException.class, () -> f.json(OBJ.typeCount(), new byte[8]));

        BtfBuilder b = new BtfBuilder();
        int u32 = b.addInt("unsigned int", 4, 0);
        int s = b.addStruct("s", 4, List.of(new Member("a", u32, 0, 0), new Member("b", u32, 32, 0)));
        BpfFormatException fe = assertThrows(BpfFormatException.class, () -> new BtfValueFormatter(b.build()).json(s, new byte[8]));
        assertEquals("BTF: STRUCT [" + s + "] member b ends at byte 8, past its size 4", fe.getMessage());
    }

    @Test
    void voidAndForwardDeclarationsPrintBpftoolsMarkers() {
        BtfBuilder b = new BtfBuilder();
        int fwd = b.addFwd("later", false);
        int s = b.addStruct("s", 0, List.of(new Member("f", fwd, 0, 0)));
        BtfValueFormatter f = new BtfValueFormatter(b.build());
        assertEquals("{\n    \"f\": (fwd-kind-invalid)\n}", f.text(s, new byte[0]));
        assertEquals("{\"f\":\"(fwd-kind-invalid)\"}", f.json(s, new byte[0]));
        assertEquals("(unknown)", f.text(0, new byte[0]));
    }
}
