package io.bpf4j;

import io.bpf4j.fixtures.TestPrograms;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The typed views read and write what the kernel holds. */
class MapViewsTest {
    @Test
    void arrayViewReadsWritesAndSumsPerCpuCounters() {
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4));
             BpfMap p = BpfMap.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 1))) {
            ArrayMapView v = new ArrayMapView(a);
            v.setLong(3, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, v.getLong(3));
            assertEquals(0x55667788, v.getInt(3), "little endian low half");
            assertEquals(0, v.getLong(0));
            assertThrows(IndexOutOfBoundsException.class, () -> v.getLong(4));
            // One u64 per CPU: write CPU i's slot to i+1, the sum is n(n+1)/2.
            int n = Cpus.possible();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putLong(i + 1);
            p.update(KernelObjectsTest.u32(0), b.array(), BpfMap.ANY);
            assertEquals((long) n * (n + 1) / 2, new ArrayMapView(p).sumLong(0));
        }
    }

    @Test
    void hashViewWithCodecs() {
        try (BpfMap h = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 8))) {
            HashMapView<Integer, Long> v = new HashMapView<>(h, HashMapView.Codec.U32, HashMapView.Codec.U64);
            v.put(1, 10L);
            assertTrue(v.putIfAbsent(2, 20L));
            assertFalse(v.putIfAbsent(2, 99L));
            assertEquals(Map.of(1, 10L, 2, 20L), v.entries());
            assertTrue(v.remove(1));
            assertTrue(v.get(1).isEmpty());
            assertEquals(20L, v.get(2).orElseThrow());
        }
    }

    @Test
    void progArrayViewShowsIdsAndOwner() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 3));
             BpfProgram x = TestPrograms.load(ProgType.XDP, "t_view", TestPrograms.returning(2))) {
            ProgArray pa = new ProgArray(m);
            assertTrue(pa.ownerType().isEmpty());
            pa.set(2, x);
            assertEquals(Map.of(2, x.id()), pa.slots());
            assertEquals(ProgType.XDP, pa.ownerType().orElseThrow(), "the first update claims the owner");
            assertEquals(x.info().jited(), pa.ownerJited().orElseThrow());
            assertTrue(pa.clear(2));
            assertTrue(pa.slots().isEmpty());
            assertEquals(ProgType.XDP, pa.ownerType().orElseThrow(), "the owner is never reset");
        }
        assertThrows(BpfException.class, () -> {
            try (BpfMap h = BpfMap.create(MapSpec.of(MapType.HASH, 4, 4, 1))) {
                new ProgArray(h);
            }
        });
    }
}
