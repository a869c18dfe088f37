package io.bpf4j.explain;

import io.bpf4j.BpfCommand;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding attrs by the uapi layout, and printing them as strace does (with what strace leaves out). */
class BpfCallTest {
    static ByteBuffer attr(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void aMapUpdateReadsAndPrintsLikeStrace() {
        ByteBuffer b = attr(144).putInt(0, 5).putLong(8, 0x7ffe552a1478L).putLong(16, 0x7ffe552a144cL).putLong(24, 0);
        BpfCall c = BpfCall.of(BpfCommand.MAP_UPDATE_ELEM, b.array());
        assertEquals(5, c.u32("map_fd"));
        assertEquals(0x7ffe552a1478L, c.get("key"));
        assertEquals("bpf(BPF_MAP_UPDATE_ELEM, {map_fd=5, key=0x7ffe552a1478, value=0x7ffe552a144c, flags=BPF_ANY}, 144)", c.toString());
    }

    @Test
    void fieldsPastTheCallersSizeReadAsZero() {
        ByteBuffer b = attr(32).putInt(0, 2).putInt(4, 4).putInt(8, 8).putInt(12, 1).putInt(16, 0);
        BpfCall c = new BpfCall(BpfCommand.MAP_CREATE.value(), false, 0, b.array(), 20);
        assertEquals(2, c.u32("map_type"));
        assertFalse(c.covers("map_name"));
        assertEquals(0, c.get("btf_fd"));
        assertEquals("bpf(BPF_MAP_CREATE, {map_type=BPF_MAP_TYPE_ARRAY, key_size=4, value_size=8, max_entries=1, map_flags=0}, 20)", c.toString());
    }

    @Test
    void optionalFdsOfZeroAreNotPrintedAsStdin() {
        ByteBuffer b = attr(144).putInt(0, 1).putInt(4, 2).putLong(8, 0x1000).putLong(16, 0x2000);
        b.put(48, (byte) 'f');
        String s = BpfCall.of(BpfCommand.PROG_LOAD, b.array()).toString();
        assertTrue(s.startsWith("bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_SOCKET_FILTER, insn_cnt=2, insns=0x1000, license=0x2000, "
                + "log_level=0, log_size=0, log_buf=NULL, prog_flags=0, prog_name=\"f\", expected_attach_type=BPF_CGROUP_INET_INGRESS"), s);
        assertFalse(s.contains("prog_btf_fd"), s);
        assertFalse(s.contains("attach_prog_fd"), s);
    }

    @Test
    void theCommonAttrsBitOfLinux72IsSplitOff() {
        BpfCall c = BpfCall.of(BpfCommand.PROG_LOAD.value() | BpfCall.COMMON_ATTRS, 0x1000, new byte[144], 144);
        assertEquals(BpfCommand.PROG_LOAD, c.command());
        assertTrue(c.commonAttrs());
        assertTrue(c.toString().startsWith("bpf(BPF_PROG_LOAD|BPF_COMMON_ATTRS, {"), c.toString());
    }

    @Test
    void unknownCommandsPrintTheirNumberAndAddress() {
        BpfCall c = BpfCall.of(999, 0x1234, new byte[8], 8);
        assertNull(c.command());
        assertEquals("bpf(999, 0x1234, 8)", c.toString());
    }

    @Test
    void namesAndTheFirstNonZeroByte() {
        ByteBuffer b = attr(100);
        byte[] name = "bad-name!".getBytes();
        for (int i = 0; i < name.length; i++) b.put(28 + i, name[i]);
        b.put(90, (byte) 1);
        BpfCall c = BpfCall.of(BpfCommand.MAP_CREATE, b.array());
        assertEquals("bad-name!", c.name("map_name"));
        assertEquals(90, c.firstNonZeroFrom(89));
        assertEquals("excl_prog_hash_size", c.fieldAt(90).name());
        assertEquals("\"a\\x01\\\"\"", BpfCall.quote(new byte[] {'a', 1, '"'}));
    }
}
