package io.bpf4j.loader;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.Cpus;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** maps.bpf.o loaded: map-in-map and prog array slots filled from C, pinning by name, CPU-sized perf arrays. */
class MapsLoadTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static int i32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The highest NUMA node this machine may have: /sys/devices/system/node/possible, or 0 without NUMA. */
    static int maxPossibleNode() throws Exception {
        Path possible = Path.of("/sys/devices/system/node/possible");
        if (!Files.exists(possible)) return 0;
        String s = Files.readString(possible).trim(); // "0", "0-3", "0,2-5"
        String last = s.substring(s.lastIndexOf(',') + 1);
        return Integer.parseInt(last.substring(last.lastIndexOf('-') + 1));
    }

    @Test
    void anObjectMapsNumaNodeReachesTheKernel() throws Exception {
        assertTrue(maxPossibleNode() < 1000, "numa.bpf.o asks for node 1000, which must not exist here");
        ObjectSpec spec = Objects.spec("numa.bpf.o");
        // map_create refuses a node beyond nr_node_ids: proof that numa_node 1000 was in the attr.
        var e = assertThrows(BpfException.class, () -> BpfObject.load(spec));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("map far"), e.getMessage());
        spec.updateMap("far", m -> m.withNumaNode(0));
        try (BpfObject o = BpfObject.load(spec)) {
            assertEquals(MapSpec.F_NUMA_NODE, o.map("far").info().flags(), "the kernel kept BPF_F_NUMA_NODE");
            assertEquals(0, o.program("count").testRun(new byte[60], 1).retval());
        }
    }

    @Test
    void initialSlotsTailCallsAndInnerMapsWork() throws Exception {
        Path pins = Files.createTempDirectory(Path.of("/sys/fs/bpf"), "bpf4j-maps-test");
        try (BpfObject o = BpfObject.load(Objects.spec("maps.bpf.o"), LoadOptions.defaults().withPinRoot(pins.toString()))) {
            // Test runs strip the 14-byte Ethernet header: skb->len 36 jumps to slot 2, 35 to the empty slot 1.
            assertEquals(12, o.program("entry").testRun(new byte[50], 1).retval(), "tail call into tail_2");
            assertEquals(99, o.program("entry").testRun(new byte[49], 1).retval(), "slot 1 empty: falls through");
            assertEquals(10, o.program("entry").testRun(new byte[60], 1).retval(), "tail call into tail_0");
            BpfMap jumps = o.map("jumps");
            assertEquals(o.program("tail_0").id(), i32(jumps.lookup(u32(0)).orElseThrow()));
            assertTrue(jumps.lookup(u32(1)).isEmpty());
            BpfMap outer = o.map("outer");
            assertEquals(o.map("inner_a").id(), i32(outer.lookup(u32(0)).orElseThrow()));
            assertEquals(o.map("inner_b").id(), i32(outer.lookup(u32(3)).orElseThrow()));
            assertEquals(3, ByteBuffer.wrap(o.map("inner_a").lookup(u32(0)).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                    "the program reached inner_a through outer on each run");
            assertEquals(Cpus.possible(), o.map("perf").maxEntries());
            assertEquals(MapType.RINGBUF, o.map("events").type());
            assertTrue(Files.exists(pins.resolve("pinned_lru")), "pinned by name");
            int id = o.map("pinned_lru").id();
            try (BpfObject again = BpfObject.load(Objects.spec("maps.bpf.o"), LoadOptions.defaults().withPinRoot(pins.toString()))) {
                assertEquals(id, again.map("pinned_lru").id(), "the second load reuses the pinned map");
                assertNotEquals(o.map("inner_a").id(), again.map("inner_a").id());
            }
        } finally {
            Files.deleteIfExists(pins.resolve("pinned_lru"));
            Files.deleteIfExists(pins);
        }
    }
}
