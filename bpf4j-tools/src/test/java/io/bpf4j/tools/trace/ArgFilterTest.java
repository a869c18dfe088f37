package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/**
 * --filter-arg's language and what it compiles to for trace.bpf.c: paths resolved to register,
 * pointer reads and offsets from kernel BTF, enumerators to their values, and the boolean
 * structure to a truth table over the comparisons.
 */
class ArgFilterTest {
    static Btf btf;
    static ArgLayout copyValue;

    @BeforeAll
    static void kernelBtf() {
        btf = HostBtf.read();
        copyValue = ArgLayout.of(btf, ReturnKind.proto(btf, "bpf_map_copy_value").orElseThrow(), ArgLayout.Limits.DEFAULT, true);
    }

    static long off(String struct, String field) {
        BtfType s = btf.findByName(struct, BtfKind.STRUCT).orElseThrow();
        return btf.memberByPath(s, field).orElseThrow().byteOffset();
    }

    /** Whether the table says the expression holds when exactly the comparisons in {@code held} hold. */
    static boolean holds(ArgFilter f, int held) {
        long[] t = f.truthTable();
        return (t[held >>> 6] >>> (held & 63) & 1) != 0;
    }

    @Test
    void aMemberBehindAPointerIsOneReadAtItsOffset() {
        ArgFilter f = ArgFilter.parse("map->map_type == BPF_MAP_TYPE_PROG_ARRAY");
        ByteBuffer b = ByteBuffer.wrap(f.compile("bpf_map_copy_value", copyValue)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.getInt(0), "one comparison");
        assertEquals(0, b.get(40), "argument register 0 (map)");
        assertEquals(1, b.get(41), "one read");
        assertEquals(4, b.get(42), "an enum of 4 bytes");
        assertEquals(ArgFilter.OP_EQ, b.get(43));
        assertEquals(off("bpf_map", "map_type"), b.getInt(48));
        long progArray = btf.findByName("bpf_map_type", BtfKind.ENUM).map(t -> ((BtfType.Enum) t).values().stream()
                .filter(v -> v.name().equals("BPF_MAP_TYPE_PROG_ARRAY")).findFirst().orElseThrow().value()).orElseThrow();
        assertEquals(progArray, b.getLong(40 + 24));
        assertTrue(holds(f, 1) && !holds(f, 0));
    }

    @Test
    void aRegisterComparedAloneNeedsNoRead() {
        ArgFilter f = ArgFilter.parse("flags & 0x4");
        ByteBuffer b = ByteBuffer.wrap(f.compile("bpf_map_copy_value", copyValue)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, b.get(40), "flags is the fourth register");
        assertEquals(0, b.get(41), "no read");
        assertEquals(8, b.get(42), "__u64");
        assertEquals(ArgFilter.OP_AND, b.get(43));
        assertEquals(4, b.getLong(64));
        ArgFilter bare = ArgFilter.parse("key");
        ByteBuffer k = ByteBuffer.wrap(bare.compile("bpf_map_copy_value", copyValue)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(ArgFilter.OP_NE, k.get(43), "a path alone means != 0");
    }

    @Test
    void andOrNotAndParenthesesBecomeATruthTable() {
        ArgFilter f = ArgFilter.parse("map->id == 1 || !(map->id == 2 && flags < 3)");
        // bits: 0 = id==1, 1 = id==2, 2 = flags<3
        for (int m = 0; m < 8; m++) {
            boolean a = (m & 1) != 0, b = (m & 2) != 0, c = (m & 4) != 0;
            assertEquals(a || !(b && c), holds(f, m), "bits " + m);
        }
        assertEquals(java.util.List.of("map", "flags"), f.arguments());
    }

    @Test
    void signedComparisonsSignExtend() {
        ArgFilter f = ArgFilter.parse("map->numa_node < 0");
        ByteBuffer b = ByteBuffer.wrap(f.compile("bpf_map_copy_value", copyValue)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.get(44), "numa_node is an int: signed");
        assertEquals(ArgFilter.OP_LT, b.get(43));
    }

    @Test
    void mistakesAreOneLineNamingWhatIsWrong() {
        assertEquals("--filter-arg 'nope == 1': bpf_map_copy_value has no argument 'nope' (it has map, key, value, flags)",
                assertThrows(BpfException.class, () -> ArgFilter.parse("nope == 1").compile("bpf_map_copy_value", copyValue)).getMessage());
        assertEquals("--filter-arg 'map->nope == 1': bpf_map_copy_value: map has no member 'nope'",
                assertThrows(BpfException.class, () -> ArgFilter.parse("map->nope == 1").compile("bpf_map_copy_value", copyValue)).getMessage());
        assertEquals("--filter-arg 'map->map_type == BPF_NO_SUCH': BPF_NO_SUCH is not a value of map->map_type (enum bpf_map_type)",
                assertThrows(BpfException.class, () -> ArgFilter.parse("map->map_type == BPF_NO_SUCH").compile("bpf_map_copy_value", copyValue)).getMessage());
        assertTrue(assertThrows(BpfException.class, () -> ArgFilter.parse("flags->x == 1").compile("bpf_map_copy_value", copyValue))
                .getMessage().contains("flags is not a pointer"));
        assertTrue(assertThrows(BpfException.class, () -> ArgFilter.parse("map.id == 1").compile("bpf_map_copy_value", copyValue))
                .getMessage().contains("use -> to follow a pointer"));
        assertTrue(assertThrows(BpfException.class, () -> ArgFilter.parse("map->id ==").compile("bpf_map_copy_value", copyValue))
                .getMessage().contains("expected a constant"));
        assertTrue(assertThrows(BpfException.class, () -> ArgFilter.parse("(map->id == 1")).getMessage().contains("missing ')'"));
        assertTrue(assertThrows(BpfException.class, () -> ArgFilter.parse("map->id == 1 junk")).getMessage().contains("unexpected 'junk'"));
        String nine = "flags == 1" + " || flags == 2".repeat(8);
        assertTrue(assertThrows(BpfException.class, () -> ArgFilter.parse(nine)).getMessage().contains("9 comparisons, at most 8"));
    }
}
