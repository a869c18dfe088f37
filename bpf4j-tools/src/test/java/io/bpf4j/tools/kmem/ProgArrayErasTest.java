package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The same KernelBpf code reads a prog array's owner, slots and poke programs in every layout
 * era of kernel-facts.md section 2: the era is recognised from BTF, never from a version.
 */
class ProgArrayErasTest {
    static final int MAX = 4;

    /** A prog array (id 42) with the program "k_tail" (id 7) in slot 1 and "k_main" (id 8) poking into it. */
    static final class Image {
        final EraBtf era;
        final Btf btf;
        final FakeMemory mem = new FakeMemory();
        final Kernel kernel;
        final KObject array, map;
        KObject aux;
        final long tail, main;

        Image(EraBtf era) {
            this.era = era;
            this.btf = era.build();
            this.kernel = new Kernel(mem, btf, null);
            long arr = mem.alloc(kernel.object(0, "struct bpf_array").size() + MAX * 8);
            array = kernel.object(arr, "struct bpf_array");
            map = array.member("map");
            mem.set(map.member("map_type"), 3);
            mem.set(map.member("id"), 42);
            mem.set(map.member("max_entries"), MAX);
            mem.setString(map.member("name"), "jmp_table");
            tail = prog(7, "k_tail");
            main = prog(8, "k_main");
            mem.set(array.member("ptrs").index(1), tail);
            if (era != EraBtf.ARRAY_FIELDS) {
                aux = kernel.object(mem.alloc(kernel.object(0, "struct bpf_array_aux").size()), "struct bpf_array_aux");
                mem.set(array.member("aux"), aux.address());
                KObject head = aux.member("poke_progs");
                KObject elem = kernel.object(mem.alloc(24), "struct prog_poke_elem");
                mem.set(elem.member("aux"), kernel.object(main, "struct bpf_prog").member("aux").pointer());
                mem.set(head.member("next"), elem.member("list").address());
                mem.set(head.member("prev"), elem.member("list").address());
                mem.set(elem.member("list.next"), head.address());
                mem.set(elem.member("list.prev"), head.address());
            }
        }

        long prog(int id, String name) {
            KObject p = kernel.object(mem.alloc(kernel.object(0, "struct bpf_prog").size()), "struct bpf_prog");
            KObject a = kernel.object(mem.alloc(kernel.object(0, "struct bpf_prog_aux").size()), "struct bpf_prog_aux");
            mem.set(p.member("type"), 2);
            mem.putLong(p.address() + 2, 1, 1); // jited:1 is bit 16
            mem.set(p.member("aux"), a.address());
            mem.set(a.member("id"), id);
            mem.setString(a.member("name"), name);
            mem.set(a.member("prog"), p.address());
            return p.address();
        }

        /** Claims the array for a jited kprobe program, where this era keeps the owner. */
        void own() {
            switch (era) {
                case ARRAY_FIELDS -> {
                    mem.set(array.member("owner_prog_type"), 2);
                    mem.set(array.member("owner_jited"), 1);
                }
                case AUX_FIELDS -> {
                    mem.set(aux.member("type"), 2);
                    mem.set(aux.member("jited"), 1);
                }
                case AUX_OWNER -> {
                    mem.set(aux.member("owner.type"), 2);
                    mem.set(aux.member("owner.jited"), 1);
                }
                case MAP_EMBEDDED -> {
                    mem.set(map.member("owner.type"), 2);
                    mem.set(map.member("owner.jited"), 1);
                    mem.set(map.member("owner.xdp_has_frags"), 1);
                }
                case MAP_POINTER -> {
                    KObject o = kernel.object(mem.alloc(kernel.object(0, "struct bpf_map_owner").size()), "struct bpf_map_owner");
                    mem.set(map.member("owner"), o.address());
                    mem.set(o.member("type"), 2);
                    mem.set(o.member("jited"), 1);
                    mem.set(o.member("storage_cookie[0]"), 5);
                    mem.set(o.member("expected_attach_type"), 24);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EraBtf.class)
    void ownerIsReadFromWhereverThisEraKeepsIt(EraBtf era) {
        Image img = new Image(era);
        img.own();
        KernelBpf.Owner o = new KernelBpf(img.kernel).owner(img.map).orElseThrow();
        assertEquals(era.source, o.source());
        assertEquals("BPF_PROG_TYPE_KPROBE", o.type());
        assertEquals(2, o.typeValue());
        assertTrue(o.jited());
        assertEquals("BPF_PROG_TYPE_KPROBE", o.fields().get("type"));
        assertEquals("true", o.fields().get("jited"));
        assertFalse(o.fields().containsKey("lock"), "the lock is not a fact");
    }

    @ParameterizedTest
    @EnumSource(value = EraBtf.class, names = {"MAP_EMBEDDED", "MAP_POINTER"})
    void newerErasShowEveryOwnerFieldTheKernelHas(EraBtf era) {
        Image img = new Image(era);
        img.own();
        KernelBpf.Owner o = new KernelBpf(img.kernel).owner(img.map).orElseThrow();
        if (era == EraBtf.MAP_EMBEDDED) {
            assertEquals(List.of("type", "jited", "xdp_has_frags", "attach_func_proto"), List.copyOf(o.fields().keySet()));
            assertEquals("true", o.fields().get("xdp_has_frags"));
        } else {
            assertEquals(List.of("type", "jited", "xdp_has_frags", "storage_cookie", "attach_func_proto", "expected_attach_type"),
                    List.copyOf(o.fields().keySet()));
            assertEquals("[5, 0]", o.fields().get("storage_cookie"));
            assertEquals("BPF_TRACE_FENTRY", o.fields().get("expected_attach_type"));
            assertEquals("0x0", o.fields().get("attach_func_proto"));
        }
    }

    @ParameterizedTest
    @EnumSource(EraBtf.class)
    void unclaimedArrayHasNoOwnerInAnyEra(EraBtf era) {
        Image img = new Image(era);
        assertEquals(Optional.empty(), new KernelBpf(img.kernel).owner(img.map));
    }

    @ParameterizedTest
    @EnumSource(EraBtf.class)
    void slotsAndPokeProgramsAreTheSameInEveryEra(EraBtf era) {
        Image img = new Image(era);
        img.own();
        KernelBpf.ProgArray pa = new KernelBpf(img.kernel).progArray(img.map);
        assertEquals(42, pa.id());
        assertEquals("jmp_table", pa.name());
        assertEquals(MAX, pa.maxEntries());
        assertEquals(1, pa.slots().size());
        assertEquals(1, pa.slots().get(0).index());
        assertEquals(7, pa.slots().get(0).prog().id());
        assertEquals("k_tail", pa.slots().get(0).prog().name());
        assertEquals("BPF_PROG_TYPE_KPROBE", pa.slots().get(0).prog().type());
        if (era == EraBtf.ARRAY_FIELDS) {
            assertEquals(List.of(), pa.pokePrograms(), "no bpf_array_aux before 5.5");
        } else {
            assertEquals(List.of(8), pa.pokePrograms().stream().map(KernelBpf.ProgRef::id).toList());
        }
        assertTrue(pa.owner().isPresent());
    }

    @ParameterizedTest
    @EnumSource(value = EraBtf.class, names = {"MAP_POINTER"})
    void ownerPointerIntoUnmappedMemoryIsAClearFault(EraBtf era) {
        Image img = new Image(era);
        img.mem.set(img.map.member("owner"), 0xffffdead00001000L);
        MemoryFault f = assertThrows(MemoryFault.class, () -> new KernelBpf(img.kernel).owner(img.map));
        assertTrue(f.getMessage().contains("0xffffdead00001000"), f.getMessage());
        assertTrue(f.getMessage().contains("owner"), f.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = EraBtf.class, names = {"AUX_OWNER"})
    void anArrayOfAnotherTypeIsRefused(EraBtf era) {
        Image img = new Image(era);
        img.mem.set(img.map.member("map_type"), 2);
        BpfException e = assertThrows(BpfException.class, () -> new KernelBpf(img.kernel).progArray(img.map));
        assertEquals("map 42 is BPF_MAP_TYPE_ARRAY, not a prog array", e.getMessage());
    }
}
