package io.bpf4j.tools.kmem;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Member;

import java.util.ArrayList;
import java.util.List;

/**
 * Small BTF with the BPF structures of one kernel layout era (kernel-facts.md section 2), so a
 * test can show that one code path reads the prog array owner in all of them. Only the members
 * bpf4j reads are present, at offsets computed like a C compiler would.
 */
enum EraBtf {
    /** ≤ 5.4: bpf_array.owner_prog_type / owner_jited. */
    ARRAY_FIELDS("array->owner_prog_type"),
    /** 5.5–5.14: bpf_array_aux.type / jited. */
    AUX_FIELDS("array->aux"),
    /** 5.15–5.17, 5.10.77+: bpf_array_aux.owner {lock, type, jited}. */
    AUX_OWNER("array->aux->owner"),
    /** 5.18–6.16: bpf_map.owner embedded {lock, type, jited, xdp_has_frags, attach_func_proto}. */
    MAP_EMBEDDED("map->owner (embedded)"),
    /** 6.17+ and backports: bpf_map.owner is a struct bpf_map_owner pointer. */
    MAP_POINTER("map->owner (pointer)");

    final String source;

    EraBtf(String source) {
        this.source = source;
    }

    /** Sequential C layout of one struct. */
    static final class Layout {
        final List<Member> members = new ArrayList<>();
        int off, align = 1;

        Layout add(String name, int type, int size, int al) {
            off = (off + al - 1) / al * al;
            members.add(new Member(name, type, off * 8, 0));
            off += size;
            align = Math.max(align, al);
            return this;
        }

        /** A bitfield of {@code bits} bits at the current bit position of a u16 unit. */
        Layout bits(String name, int type, int bitOff, int bits) {
            members.add(new Member(name, type, bitOff, bits));
            return this;
        }

        int size() {
            return (off + align - 1) / align * align;
        }
    }

    int u8, u16, u32, u64, bool, chr, progType, mapType, attachType, listHead, pListHead, voidPtr;
    int bpfMap, pMap, bpfArray, arrayAux, pArrayAux, bpfProg, pProg, progAux, pProgAux, pokeElem, mapOwner, pMapOwner;

    Btf build() {
        BtfBuilder b = new BtfBuilder();
        u8 = b.addInt("unsigned char", 1, 0);
        u16 = b.addInt("short unsigned int", 2, 0);
        u32 = b.addInt("unsigned int", 4, 0);
        u64 = b.addInt("long long unsigned int", 8, 0);
        bool = b.addInt("_Bool", 1, BtfType.Int.BOOL);
        chr = b.addInt("char", 1, BtfType.Int.SIGNED | BtfType.Int.CHAR);
        int intT = b.addInt("int", 4, BtfType.Int.SIGNED);
        voidPtr = b.addPtr(0);
        int name16 = b.addArray(chr, intT, 16);
        progType = b.addEnum("bpf_prog_type", 4, false, List.of(new EnumValue("BPF_PROG_TYPE_UNSPEC", 0),
                new EnumValue("BPF_PROG_TYPE_KPROBE", 2), new EnumValue("BPF_PROG_TYPE_XDP", 6), new EnumValue("BPF_PROG_TYPE_EXT", 28)));
        mapType = b.addEnum("bpf_map_type", 4, false, List.of(new EnumValue("BPF_MAP_TYPE_ARRAY", 2),
                new EnumValue("BPF_MAP_TYPE_PROG_ARRAY", 3)));
        attachType = b.addEnum("bpf_attach_type", 4, false, List.of(new EnumValue("BPF_TRACE_FENTRY", 24),
                new EnumValue("BPF_XDP", 37)));
        // Placeholders first, so pointers can name structs defined later.
        listHead = b.addStruct("list_head", 0, List.of());
        bpfMap = b.addStruct("bpf_map", 0, List.of());
        bpfArray = b.addStruct("bpf_array", 0, List.of());
        arrayAux = b.addStruct("bpf_array_aux", 0, List.of());
        bpfProg = b.addStruct("bpf_prog", 0, List.of());
        progAux = b.addStruct("bpf_prog_aux", 0, List.of());
        pokeElem = b.addStruct("prog_poke_elem", 0, List.of());
        mapOwner = b.addStruct("bpf_map_owner", 0, List.of());
        pListHead = b.addPtr(listHead);
        pMap = b.addPtr(bpfMap);
        pArrayAux = b.addPtr(arrayAux);
        pProg = b.addPtr(bpfProg);
        pProgAux = b.addPtr(progAux);
        pMapOwner = b.addPtr(mapOwner);
        int spin = b.addStruct("spinlock", 4, List.of(new Member("raw", u32, 0, 0)));
        int spinT = b.addTypedef("spinlock_t", spin);
        int cookies = b.addArray(u64, intT, 2);
        int flexPtrs = b.addArray(voidPtr, intT, 0);

        b.replace(listHead, new BtfType.Struct(listHead, "list_head", 16,
                List.of(new Member("next", pListHead, 0, 0), new Member("prev", pListHead, 64, 0)), false));

        Layout aux = new Layout().add("id", u32, 4, 4).add("name", name16, 16, 1).add("prog", pProg, 8, 8);
        b.replace(progAux, struct(progAux, "bpf_prog_aux", aux));
        Layout prog = new Layout().add("pages", u16, 2, 2);
        prog.bits("jited", u16, 16, 1).bits("jit_requested", u16, 17, 1);
        prog.off = 4;
        prog.add("type", progType, 4, 4).add("expected_attach_type", attachType, 4, 4).add("aux", pProgAux, 8, 8);
        b.replace(bpfProg, new BtfType.Struct(bpfProg, "bpf_prog", prog.size(), prog.members, true));
        b.replace(pokeElem, struct(pokeElem, "prog_poke_elem",
                new Layout().add("list", listHead, 16, 8).add("aux", pProgAux, 8, 8)));

        Layout map = new Layout().add("map_type", mapType, 4, 4).add("key_size", u32, 4, 4).add("value_size", u32, 4, 4)
                .add("max_entries", u32, 4, 4).add("id", u32, 4, 4).add("name", name16, 16, 1);
        if (this == MAP_EMBEDDED) {
            Layout o = new Layout().add("lock", spinT, 4, 4).add("type", progType, 4, 4).add("jited", bool, 1, 1)
                    .add("xdp_has_frags", bool, 1, 1).add("attach_func_proto", voidPtr, 8, 8);
            int anon = b.addStruct("", o.size(), o.members);
            map.add("owner", anon, o.size(), 8);
        }
        if (this == MAP_POINTER) {
            Layout o = new Layout().add("type", progType, 4, 4).add("jited", bool, 1, 1).add("xdp_has_frags", bool, 1, 1)
                    .add("storage_cookie", cookies, 16, 8).add("attach_func_proto", voidPtr, 8, 8)
                    .add("expected_attach_type", attachType, 4, 4);
            b.replace(mapOwner, struct(mapOwner, "bpf_map_owner", o));
            map.add("owner_lock", spinT, 4, 4).add("owner", pMapOwner, 8, 8);
        }
        map.add("frozen", bool, 1, 1);
        b.replace(bpfMap, struct(bpfMap, "bpf_map", map));

        Layout arrAux = new Layout();
        if (this == AUX_FIELDS) arrAux.add("type", progType, 4, 4).add("jited", bool, 1, 1);
        if (this == AUX_OWNER) {
            Layout o = new Layout().add("lock", spinT, 4, 4).add("type", progType, 4, 4).add("jited", bool, 1, 1);
            arrAux.add("owner", b.addStruct("", o.size(), o.members), o.size(), 4);
        }
        arrAux.add("poke_progs", listHead, 16, 8).add("map", pMap, 8, 8);
        b.replace(arrayAux, struct(arrayAux, "bpf_array_aux", arrAux));

        Layout arr = new Layout().add("map", bpfMap, map.size(), 8).add("elem_size", u32, 4, 4).add("index_mask", u32, 4, 4);
        if (this == ARRAY_FIELDS) arr.add("owner_prog_type", progType, 4, 4).add("owner_jited", bool, 1, 1);
        else arr.add("aux", pArrayAux, 8, 8);
        int union = b.addUnion("", 0, List.of(new Member("ptrs", flexPtrs, 0, 0)));
        arr.add("", union, 0, 8);
        b.replace(bpfArray, struct(bpfArray, "bpf_array", arr));
        return b.build();
    }

    private static BtfType.Struct struct(int id, String name, Layout l) {
        return new BtfType.Struct(id, name, l.size(), l.members, false);
    }
}
