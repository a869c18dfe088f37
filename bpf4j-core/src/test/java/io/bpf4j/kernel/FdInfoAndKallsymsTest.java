package io.bpf4j.kernel;

import io.bpf4j.FdInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Parsing of the kernel's text interfaces, on samples in the kernel's exact format. */
class FdInfoAndKallsymsTest {
    @Test
    void fdinfoOfOwnedProgArray() {
        // bpf_map_show_fdinfo() output of a 5.10 prog array claimed by an EXT program.
        String text = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nmap_type:\t3\nkey_size:\t4\nvalue_size:\t4\n"
                + "max_entries:\t1\nmap_flags:\t0x0\nmemlock:\t4096\nmap_id:\t12\nfrozen:\t0\n"
                + "owner_prog_type:\t28\nowner_jited:\t1\n";
        FdInfo f = FdInfo.parse(text);
        assertEquals(28, f.ownerProgType().getAsInt());
        assertEquals("BPF_PROG_TYPE_EXT", f.ownerProgTypeName());
        assertTrue(f.ownerJited());
        assertEquals(4096, f.memlock().getAsLong());
        assertEquals(12, f.mapId().getAsInt());
        assertFalse(f.frozen());
    }

    @Test
    void fdinfoWithoutOwner() {
        FdInfo f = FdInfo.parse("map_type:\t3\nmap_id:\t7\nfrozen:\t1\n");
        assertTrue(f.ownerProgType().isEmpty());
        assertNull(f.ownerProgTypeName());
        assertNull(f.ownerJited());
        assertTrue(f.frozen());
    }

    @Test
    void kallsymsSymbolizesAndSplitsBpfProgSymbols() {
        String text = "ffffffff81000000 T _text\n"
                + "ffffffff81001000 T do_one\n"
                + "ffffffff81002000 t do_two\n"
                + "ffffffffc0022054 t bpf_prog_03e24110e6c07c25_k_tcp_connect\t[bpf]\n"
                + "ffffffffc0030000 t nf_hook\t[nf_tables]\n";
        Kallsyms k = Kallsyms.parse(text);
        assertEquals(5, k.size());
        assertTrue(k.addressesVisible());
        assertEquals("do_one", k.symbolize(0xffffffff81001fffL).orElseThrow().name());
        assertEquals("do_two", k.symbolize(0xffffffff81002000L).orElseThrow().name());
        assertTrue(k.symbolize(0x1000).isEmpty());
        assertEquals("nf_tables", k.first("nf_hook").orElseThrow().module());
        var p = k.bpfProgAt(0xffffffffc0022054L).orElseThrow();
        assertEquals("03e24110e6c07c25", p.tag());
        assertEquals("k_tcp_connect", p.name());
        assertEquals(1, k.bpfProgs().size());
    }

    @Test
    void kallsymsOfThisKernel() {
        Kallsyms k = Kallsyms.load();
        assertTrue(k.size() > 10_000, "kallsyms has " + k.size() + " symbols");
        assertFalse(k.byName("_text").isEmpty());
    }
}
