package io.bpf4j;

import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** MapSpec's settings reach BPF_MAP_CREATE: what this host's kernel accepts and refuses shows it. */
class MapSpecTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    @Test
    void theNumaNodeIsPassedWithItsFlag() {
        MapSpec hash = MapSpec.of(MapType.HASH, 4, 8, 4).withName("t_numa");
        // map_create refuses a node at or beyond nr_node_ids, which no machine has at 1000.
        var e = assertThrows(BpfException.class, () -> BpfMap.create(hash.withNumaNode(1000)).close());
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        try (BpfMap m = BpfMap.create(hash.withNumaNode(0))) {
            assertEquals(MapSpec.F_NUMA_NODE, m.info().flags());
        }
        assertEquals(1000, hash.withNumaNode(1000).numaNode());
        assertEquals(MapSpec.F_NUMA_NODE | MapSpec.F_NO_PREALLOC, hash.withFlags(MapSpec.F_NO_PREALLOC).withNumaNode(1).flags());
    }

    @Test
    void anInnerMapTemplateIsCreatedForTheCallAndClosed() {
        MapSpec inner = MapSpec.of(MapType.ARRAY, 4, 8, 2);
        long before = Fd.openCount();
        try (BpfMap outer = BpfMap.create(MapSpec.of(MapType.ARRAY_OF_MAPS, 4, 4, 2).withName("t_outer").withInnerMap(inner));
             BpfMap a = BpfMap.create(inner);
             BpfMap wrongShape = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 16, 2))) {
            assertEquals(before + 3, Fd.openCount(), "the template's fd is closed again");
            outer.update(new byte[4], intBytes(a.fd().raw()), BpfMap.ANY);
            var e = assertThrows(BpfException.class, () -> outer.update(new byte[4], intBytes(wrongShape.fd().raw()), BpfMap.ANY));
            assertEquals(Errno.EINVAL, e.errno(), "the kernel compared with the template: " + e.getMessage());
        }
    }

    @Test
    void withersChangeOneSettingAndKeepTheRest() {
        MapSpec s = MapSpec.of(MapType.PROG_ARRAY, 4, 4, 3).withName("jumps").withPinning(MapSpec.Pinning.BY_NAME)
                .withInitialSlots(Map.of(2, "b", 0, "a"));
        MapSpec t = s.withMaxEntries(9);
        assertEquals(9, t.maxEntries());
        assertEquals("jumps", t.name());
        assertEquals(MapSpec.Pinning.BY_NAME, t.pinning());
        assertEquals(java.util.List.of(0, 2), java.util.List.copyOf(t.initialSlots().keySet()), "slots in index order");
        assertEquals(3, s.maxEntries(), "the original is unchanged");
        byte[] data = {1, 2, 3};
        MapSpec d = s.withContents(data);
        data[0] = 9;
        assertEquals(1, d.contentsBytes()[0], "contents are copied in");
        assertTrue(d.contents().isReadOnly());
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }
}
