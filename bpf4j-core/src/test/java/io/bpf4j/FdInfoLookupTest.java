package io.bpf4j;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.*;

/** A field looked up in the fdinfo text is the one the map of all fields holds. */
class FdInfoLookupTest {
    /** number(key) as it was computed from the map of all fields. */
    static OptionalLong viaMap(FdInfo f, String key) {
        String v = f.fields().get(key);
        if (v == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Test
    void lookupsAgreeWithTheFieldMap() {
        String[] texts = {
            // bpf_prog_show_fdinfo() of a 6.x kernel
            "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t2089\nprog_type:\t6\nprog_jited:\t1\n"
                    + "prog_tag:\t3b185187f1855c4c\nmemlock:\t4096\nprog_id:\t17660\nrun_time_ns:\t0\nrun_cnt:\t0\n"
                    + "recursion_misses:\t0\nverified_insns:\t3\n",
            // a prog array claimed by an EXT program, no trailing newline
            "pos:\t0\nflags:\t02000002\nmap_type:\t3\nmemlock:\t4096\nmap_id:\t12\nfrozen:\t1\nowner_prog_type:\t28\nowner_jited:\t1",
            // keys that end in other keys, a key's text inside a value, a duplicate (the later wins)
            "owner_map_id:\t7\nmap_id:\t8\nname:\tmemlock:\t99\nmemlock:\t10\nmemlock:\t0x20\nbad:\tx1\n  lead_blank:\t5\n",
            "", "memlock", ":\t3\n", "memlock:\t\n", "frozen :\t1\nx: frozen:\t0\n",
        };
        String[] keys = {"pos", "flags", "memlock", "map_id", "prog_id", "frozen", "owner_prog_type", "owner_jited", "id",
            "owner_map_id", "name", "bad", "lead_blank", "nothing", "prog_tag", "ock"};
        for (String t : texts) {
            FdInfo f = FdInfo.parse(t);
            for (String k : keys) assertEquals(viaMap(f, k), f.number(k), "key " + k + " in " + t.replace("\n", "|"));
        }
        FdInfo owned = FdInfo.parse(texts[1]);
        assertEquals("BPF_PROG_TYPE_EXT", owned.ownerProgTypeName());
        assertTrue(owned.ownerJited());
        assertTrue(owned.frozen());
        assertEquals(32, FdInfo.parse(texts[2]).memlock().getAsLong());
        assertEquals(8, FdInfo.parse(texts[2]).mapId().getAsInt());
    }

    /** Found by fuzzing: a line whose key is only blanks and controls gave the map an empty key no look-up finds. */
    @Test
    void aLineWithABlankKeyIsNotAField() {
        FdInfo f = FdInfo.parse("pos:\t0\n\u0000\u0000\u000e:\t1\n \t:\t2\nid:\t17\n");
        assertEquals(java.util.List.of("pos", "id"), java.util.List.copyOf(f.fields().keySet()));
        assertEquals(17, f.number("id").getAsLong());
    }
}
