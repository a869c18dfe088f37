package io.bpf4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every map operation sizes its buffers as the kernel reads them: per-CPU values in batches, and
 * no operation hands the kernel a key or value shorter than it will read.
 */
class BpfMapSizesTest {
    private static byte[] perCpuValue(long base) {
        ByteBuffer b = ByteBuffer.allocate(8 * Cpus.possible()).order(ByteOrder.LITTLE_ENDIAN);
        for (int cpu = 0; cpu < Cpus.possible(); cpu++) b.putLong(base + cpu);
        return b.array();
    }

    @Test
    void perCpuBatchUpdateWritesEveryCpusValueOfEveryElement() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, 4, 8, 8))) {
            List<BpfMap.Entry> entries = List.of(
                    new BpfMap.Entry(KernelObjectsTest.u32(1), perCpuValue(100)),
                    new BpfMap.Entry(KernelObjectsTest.u32(2), perCpuValue(200)));
            assertEquals(2, m.updateBatch(entries, BpfMap.ANY));
            assertArrayEquals(perCpuValue(100), m.lookup(KernelObjectsTest.u32(1)).orElseThrow());
            assertArrayEquals(perCpuValue(200), m.lookup(KernelObjectsTest.u32(2)).orElseThrow());
            // lookupBatch and updateBatch agree on the element layout.
            List<BpfMap.Entry> back = m.lookupBatch(8);
            assertEquals(2, back.size());
            for (BpfMap.Entry e : back) {
                long key = ByteBuffer.wrap(e.key()).order(ByteOrder.LITTLE_ENDIAN).getInt();
                assertArrayEquals(perCpuValue(key * 100), e.value());
            }
        }
    }

    @Test
    void batchEntriesOfTheWrongSizeAreRefusedBeforeTheKernelSeesThem() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, 4, 8, 8))) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> m.updateBatch(List.of(new BpfMap.Entry(KernelObjectsTest.u32(1), new byte[8])), BpfMap.ANY));
            assertTrue(e.getMessage().contains((8 * Cpus.possible()) + "-byte values"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.deleteBatch(List.of(new byte[2])));
        }
    }

    @Test
    void shortKeysAndValuesAreRefusedByEveryOperation() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 8, 16, 4));
             Arena a = Arena.ofConfined()) {
            m.update(new byte[8], new byte[16], BpfMap.ANY);
            MemorySegment shortKey = a.allocate(4), key = a.allocate(8), shortValue = a.allocate(8), value = a.allocate(16);
            assertThrows(IllegalArgumentException.class, () -> m.update(key, shortValue, BpfMap.ANY));
            assertThrows(IllegalArgumentException.class, () -> m.update(new byte[8], new byte[3], BpfMap.ANY));
            assertThrows(IllegalArgumentException.class, () -> m.delete(shortKey));
            assertThrows(IllegalArgumentException.class, () -> m.delete(new byte[7]));
            assertThrows(IllegalArgumentException.class, () -> m.nextKey(shortKey, key));
            assertThrows(IllegalArgumentException.class, () -> m.nextKey(null, shortKey));
            assertThrows(IllegalArgumentException.class, () -> m.lookupAndDelete(shortKey, value));
            assertThrows(IllegalArgumentException.class, () -> m.lookupAndDelete(key, shortValue));
            // The element is still there: nothing above reached the kernel.
            assertTrue(m.lookup(new byte[8]).isPresent());
            assertTrue(m.nextKey(null, key));
            assertTrue(m.lookupAndDelete(key, value));
            assertTrue(m.lookup(new byte[8]).isEmpty());
        }
    }

    @Test
    void queuesTakeNoKey() {
        try (BpfMap q = BpfMap.create(MapSpec.of(MapType.QUEUE, 0, 8, 4))) {
            q.push(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, q.pop().orElseThrow());
            assertThrows(IllegalArgumentException.class, () -> q.push(new byte[4]));
        }
    }
}
