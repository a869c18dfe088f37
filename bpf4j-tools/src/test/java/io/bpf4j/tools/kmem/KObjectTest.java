package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Typed reads over a small BTF (the 6.17 layout of EraBtf) and a fake memory image. */
class KObjectTest {
    final FakeMemory mem = new FakeMemory();
    final Kernel kernel = new Kernel(mem, EraBtf.MAP_POINTER.build(), null);
    final KObject prog = kernel.object(mem.alloc(kernel.object(0, "struct bpf_prog").size()), "struct bpf_prog");
    final KObject aux = kernel.object(mem.alloc(kernel.object(0, "struct bpf_prog_aux").size()), "struct bpf_prog_aux");

    KObjectTest() {
        mem.set(prog.member("aux"), aux.address());
        mem.set(prog.member("type"), 28);
        mem.set(aux.member("id"), 7);
        mem.setString(aux.member("name"), "entry");
        mem.set(aux.member("prog"), prog.address());
    }

    @Test
    void bitfieldsAreReadBitByBit() {
        mem.putLong(prog.address() + 2, 0b10, 1); // jited:1 at bit 16 clear, jit_requested:1 at bit 17 set
        assertTrue(prog.member("jited").isBitfield());
        assertFalse(prog.member("jited").bool());
        assertTrue(prog.member("jit_requested").bool());
        mem.putLong(prog.address() + 2, 0b01, 1);
        assertTrue(prog.member("jited").bool());
        assertFalse(prog.member("jit_requested").bool());
    }

    @Test
    void enumsReadByNameAndUnknownValuesAsNumbers() {
        assertEquals("BPF_PROG_TYPE_EXT", prog.member("type").enumName());
        mem.set(prog.member("type"), 99);
        assertEquals("99", prog.member("type").enumName());
        assertEquals(99, prog.member("type").value());
    }

    @Test
    void dotFollowsPointersLikeArrowDoes() {
        assertEquals(7, prog.member("aux->id").intValue());
        assertEquals(7, prog.member("aux.id").intValue());
        assertEquals("entry", prog.member("aux->name").string());
        assertEquals(prog.address(), prog.member("aux->prog->aux->prog").pointer());
        assertEquals("prog->aux->name", kernel.object(prog.address(), "struct bpf_prog").member("aux->name").expr()
                .replaceFirst("^\\*\\(struct bpf_prog \\*\\)0x[0-9a-f]+\\.", "prog->"));
    }

    @Test
    void charArrayWithoutNulIsCutAtItsLength() {
        mem.setString(aux.member("name"), "");
        mem.write(aux.member("name").address(), "0123456789abcdef".getBytes());
        assertEquals("0123456789abcdef", aux.member("name").string());
    }

    @Test
    void errorsNameTheExpressionAndTheReason() {
        BpfException missing = assertThrows(BpfException.class, () -> prog.member("aux->no_such"));
        assertTrue(missing.getMessage().endsWith("struct bpf_prog_aux has no member 'no_such' in this kernel's BTF"), missing.getMessage());
        BpfException arrow = assertThrows(BpfException.class, () -> prog.member("type->x"));
        assertTrue(arrow.getMessage().endsWith("type->x: enum bpf_prog_type is not a pointer"), arrow.getMessage());
        mem.set(aux.member("prog"), 0);
        BpfException nul = assertThrows(BpfException.class, () -> aux.member("prog->type"));
        assertTrue(nul.getMessage().contains("NULL pointer"), nul.getMessage());
        mem.set(aux.member("prog"), 0xffffdead00000000L);
        MemoryFault wild = assertThrows(MemoryFault.class, () -> aux.member("prog->type").value());
        assertTrue(wild.getMessage().contains("0xffffdead"), wild.getMessage());
        assertTrue(wild.getMessage().contains("prog->type"), wild.getMessage());
        for (String bad : new String[] {"a..b", "name[", "name[x]", "->", "name]"}) {
            BpfException e = assertThrows(BpfException.class, () -> aux.member(bad), bad);
            assertTrue(e.getMessage().startsWith("member path '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void fixedArraysAreBoundsCheckedAndFlexibleOnesAreNot() {
        assertEquals('n', aux.member("name[1]").value());
        BpfException e = assertThrows(BpfException.class, () -> aux.member("name[16]"));
        assertTrue(e.getMessage().contains("index out of range 0..15"), e.getMessage());
        KObject arr = kernel.object(mem.alloc(kernel.object(0, "struct bpf_array").size() + 64), "struct bpf_array");
        mem.set(arr.member("ptrs[7]"), prog.address());
        assertEquals(28, arr.member("ptrs[7]").cast("struct bpf_prog *").member("type").value());
    }

    @Test
    void containerOfGoesFromAMemberBackToItsStruct() {
        KObject arr = kernel.object(mem.alloc(kernel.object(0, "struct bpf_array").size()), "struct bpf_array");
        KObject map = arr.member("map");
        assertEquals(arr.address(), map.containerOf("struct bpf_array", "map").address());
        KObject elem = kernel.object(mem.alloc(32), "struct prog_poke_elem");
        assertEquals(elem.address(), elem.member("list").containerOf("struct prog_poke_elem", "list").address());
        BpfException e = assertThrows(BpfException.class, () -> map.containerOf("struct bpf_array", "nope"));
        assertTrue(e.getMessage().contains("no such member"), e.getMessage());
    }

    @Test
    void memberPresenceIsAskedOfBtfWithoutReadingMemory() {
        long before = mem.reads;
        assertTrue(kernel.hasMember("struct bpf_map", "owner->expected_attach_type"));
        assertTrue(kernel.hasMember("struct bpf_map", "owner.type"));
        assertFalse(kernel.hasMember("struct bpf_array_aux", "owner"));
        assertFalse(kernel.hasMember("struct no_such_struct", "x"));
        assertTrue(prog.hasMember("aux.name[3]"));
        assertEquals(before, mem.reads);
        assertTrue(prog.memberIfPresent("aux->nope").isEmpty());
    }

    @Test
    void formatShowsMembersAndKeepsGoingPastUnreadableOnes() {
        mem.set(aux.member("prog"), 0xffffdead00000000L);
        String s = aux.format(2);
        assertTrue(s.contains(".id = 7,"), s);
        assertTrue(s.contains(".name = \"entry\","), s);
        assertTrue(s.contains(".prog = (struct bpf_prog *)0xffffdead00000000"), s);
        String p = prog.format(1);
        assertTrue(p.contains(".type = BPF_PROG_TYPE_EXT"), p);
    }

    @Test
    void typeNamesAreSpelledAsInC() {
        assertEquals("struct bpf_prog *", aux.member("prog").typeName());
        assertEquals("char [16]", aux.member("name").typeName());
        assertEquals("enum bpf_prog_type", prog.member("type").typeName());
        assertEquals(String.format("(struct bpf_prog *)0x%x", prog.address()), aux.member("prog").toString());
    }
}
