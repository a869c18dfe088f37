package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Struct;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BtfTest {
    private final Btf btf = BtfFixtures.everyKind().build();

    @Test
    void decodesEveryKindWithItsKernelNumber() {
        assertEquals(39, btf.typeCount());
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfType t = btf.typeById(id);
            assertEquals(id, t.id());
            assertSame(t, btf.typeById(id), "decoded once and cached");
        }
        assertEquals(BtfKind.values().length - 1, btf.types().stream().map(BtfType::kind).distinct().count(), "all 19 kinds present");
        assertEquals(19, BtfKind.ENUM64.number());
        assertSame(BtfKind.TYPE_TAG, BtfKind.ofNumber(18));
        assertSame(BtfType.Void.INSTANCE, btf.typeById(0));
    }

    @Test
    void findsByNameAndKindFirstScanningThenThroughTheIndex() {
        for (int round = 0; round < 3; round++) { // the first search scans, later ones use the index
            Struct node = (Struct) btf.findByName("node", BtfKind.STRUCT).orElseThrow();
            assertEquals(11, node.id());
            assertTrue(btf.findByName("node", BtfKind.UNION).isEmpty());
            assertTrue(btf.findByName("no_such_type", BtfKind.STRUCT).isEmpty());
        }
        assertEquals(List.of(2, 32), btf.findAllByName("unsigned int").stream().map(BtfType::id).toList());
        assertEquals(List.of(15), btf.findAllByName("state", BtfKind.ENUM).stream().map(BtfType::id).toList());
        assertTrue(btf.findAllByName("").isEmpty(), "anonymous types are not indexed");
    }

    @Test
    void resolveSkipsTypedefsQualifiersAndTypeTags() {
        assertEquals(2, btf.resolve(6).id()); // typedef u32 -> unsigned int
        assertEquals(3, btf.resolve(7).id()); // const char -> char
        assertEquals(1, btf.resolve(10).id()); // volatile int
        assertEquals(12, btf.resolve(13).id()); // restrict -> the pointer, not further
        assertEquals(1, btf.resolve(28).id()); // type tag
        assertEquals(21, btf.resolve(22).id()); // typedef handler_t -> pointer
    }

    @Test
    void sizeAndAlignmentFollowC() {
        assertEquals(16, btf.sizeOf(9)); // char[16]
        assertEquals(48, btf.sizeOf(11));
        assertEquals(8, btf.alignOf(btf.typeById(11)));
        assertEquals(8, btf.sizeOf(22)); // typedef of function pointer
        assertEquals(4, btf.sizeOf(24)); // VAR u32
        assertEquals(5, btf.sizeOf(38));
        assertEquals(1, btf.alignOf(btf.typeById(38)), "int at byte 1 means packed");
        assertEquals(1, btf.alignOf(btf.typeById(9)));
    }

    @Test
    void memberByPathSumsOffsetsThroughAnonymousMembersAndArrays() {
        BtfType node = btf.typeById(11);
        assertEquals(new Btf.Field(5, 256, 0), btf.memberByPath(node, "raw").orElseThrow(), "inside the anonymous union");
        assertEquals(new Btf.Field(3, 64 + 3 * 8, 0), btf.memberByPath(node, "name[3]").orElseThrow());
        Btf.Field flags = btf.memberByPath(node, "mode").orElseThrow();
        assertEquals(195, flags.bitOffset());
        assertEquals(5, flags.bitfieldSize());
        assertEquals(24, flags.byteOffset());
        assertTrue(btf.memberByPath(node, "next.next").isEmpty(), "a pointer has no members");
        assertTrue(btf.memberByPath(node, "nope").isEmpty());
        assertTrue(btf.memberByPath(node, "name[x]").isEmpty());
    }

    @Test
    void bitfieldsInTheOldEncodingComeFromTheIntMemberType() {
        Struct old = (Struct) btf.findByName("old_bits", BtfKind.STRUCT).orElseThrow();
        assertFalse(old.kindFlag());
        Btf.Field b = btf.memberByPath(old, "b").orElseThrow();
        assertEquals(3, b.bitOffset());
        assertEquals(3, b.bitfieldSize());
        Struct node = (Struct) btf.typeById(11);
        assertTrue(node.kindFlag());
        Member flags = node.members().get(2);
        assertEquals(3, btf.member(node, flags).bitfieldSize());
    }

    @Test
    void splitBtfContinuesIdsAndStringsOfItsBase() {
        BtfBuilder mod = new BtfBuilder(btf);
        int s = mod.addStruct("mod_thing", 16, List.of(new Member("n", btf.findByName("node", BtfKind.STRUCT).orElseThrow().id() + 1, 0, 0),
                new Member("flags", 2, 64, 0)));
        Btf split = mod.build();
        assertEquals(btf.typeCount(), s);
        assertEquals(btf.typeCount(), split.firstTypeId());
        assertEquals(btf.typeCount() + 1, split.typeCount());
        Struct t = (Struct) split.findByName("mod_thing", BtfKind.STRUCT).orElseThrow();
        assertEquals("flags", t.members().get(1).name(), "a base string, reused by offset");
        assertEquals(btf.typeById(11), split.findByName("node", BtfKind.STRUCT).orElseThrow(), "base types are found too");
        assertEquals(16, split.sizeOf(t));
        assertEquals(new Btf.Field(2, 64, 0), split.memberByPath(t, "flags").orElseThrow());
    }

    @Test
    void kernelBtfHasTheTypesBpftoolShows() {
        Btf k = Btf.kernel();
        assertSame(k, Btf.kernel(), "cached");
        String raw = BtfFixtures.bpftool("btf", "dump", "file", BtfFixtures.VMLINUX.toString(), "format", "raw");
        // Check bpftool's word for the size of a few structs, and the count of types.
        for (String name : List.of("bpf_map", "task_struct", "sk_buff", "xdp_md")) {
            Matcher m = Pattern.compile("(?m)^\\[(\\d+)] STRUCT '" + name + "' size=(\\d+) ").matcher(raw);
            assertTrue(m.find(), name);
            BtfType t = k.findByName(name, BtfKind.STRUCT).orElseThrow();
            assertEquals(Integer.parseInt(m.group(1)), t.id(), name);
            assertEquals(Long.parseLong(m.group(2)), k.sizeOf(t), name);
        }
        Matcher last = Pattern.compile("(?m)^\\[(\\d+)] ").matcher(raw);
        int max = 0;
        while (last.find()) max = Integer.parseInt(last.group(1));
        assertEquals(max + 1, k.typeCount());
        // struct task_struct's pid: a plain member at a fixed offset, a pid_t.
        Btf.Field pid = k.memberByPath(k.findByName("task_struct", BtfKind.STRUCT).orElseThrow(), "pid").orElseThrow();
        Matcher pm = Pattern.compile("(?m)^\\t'pid' type_id=(\\d+) bits_offset=(\\d+)$").matcher(
                raw.substring(raw.indexOf("STRUCT 'task_struct'")));
        assertTrue(pm.find());
        assertEquals(Map.entry(Integer.parseInt(pm.group(1)), Long.parseLong(pm.group(2))), Map.entry(pid.type(), pid.bitOffset()));
        assertInstanceOf(Int.class, k.resolve(pid.type()));
    }
}
