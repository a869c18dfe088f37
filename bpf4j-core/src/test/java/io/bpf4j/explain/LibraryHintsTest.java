package io.bpf4j.explain;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgArray;
import io.bpf4j.ProgType;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf4j's own failures, on the running kernel: the exception's hint is the knowledge base's
 * cause and fix for the call, found from this process's fds and memory.
 */
class LibraryHintsTest {
    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void anXdpProgramInAProgArrayOwnedByAKprobeProgramNamesTheOwner() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 2).withName("progs"));
             BpfProgram kprobe = TestPrograms.load(ProgType.KPROBE, "k_owner", TestPrograms.returning(0));
             BpfProgram xdp = TestPrograms.load(ProgType.XDP, "xdp_pass", TestPrograms.returning(TestPrograms.XDP_PASS))) {
            ProgArray a = new ProgArray(progs);
            a.set(0, kprobe); // the first program stored claims the array for its type
            BpfException e = assertThrows(BpfException.class, () -> a.set(1, xdp));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.hint().contains("\"progs\" (BPF_MAP_TYPE_PROG_ARRAY) is owned by BPF_PROG_TYPE_KPROBE programs"), e.hint());
            assertTrue(e.hint().contains("\"xdp_pass\" (BPF_PROG_TYPE_XDP)"), e.hint());
            assertTrue(e.getMessage().startsWith("update: invalid argument ("), e.getMessage());
        }
    }

    @Test
    void anArrayIndexPastMaxEntries() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("small"))) {
            BpfException e = assertThrows(BpfException.class, () -> m.update(u32(4), new byte[8], BpfMap.ANY));
            assertEquals(Errno.E2BIG, e.errno());
            assertTrue(e.hint().contains("index 4 is out of range: map " + m.id() + " \"small\""), e.hint());
        }
    }

    @Test
    void anUpdateOfAFrozenMap() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("cfg"))) {
            m.freeze();
            BpfException e = assertThrows(BpfException.class, () -> m.update(u32(0), new byte[8], BpfMap.ANY));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.hint().contains("\"cfg\" (BPF_MAP_TYPE_ARRAY) is frozen"), e.hint());
        }
    }

    @Test
    void aFullHashMapCountsItsElements() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 2).withName("h2"))) {
            m.update(u32(1), new byte[8], BpfMap.ANY);
            m.update(u32(2), new byte[8], BpfMap.ANY);
            BpfException e = assertThrows(BpfException.class, () -> m.update(u32(3), new byte[8], BpfMap.ANY));
            assertEquals(Errno.E2BIG, e.errno());
            assertTrue(e.hint().contains("is full (2 of 2 elements)"), e.hint());
        }
    }

    @Test
    void aDeleteFromAnArray() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4))) {
            BpfException e = assertThrows(BpfException.class, () -> m.delete(u32(1)));
            assertTrue(e.hint().contains("cannot be deleted"), e.hint());
        }
    }
}
