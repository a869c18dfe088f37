package io.bpf4j;

import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.internal.sys.Errno;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** BpfMap.forEach against this machine's kernel: batch and key-by-key walks see the same entries. */
class MapForEachTest {
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open after the tests of this class");
    }

    /** key -> value (first 8 bytes) as one walk sees them. */
    static Map<Integer, Long> collect(BpfMap m, boolean batch) {
        Map<Integer, Long> seen = new HashMap<>();
        BpfMap.EntryVisitor v = (k, val) -> {
            assertEquals(m.keySize(), k.byteSize());
            assertEquals(m.valueBufferSize(), val.byteSize());
            assertNull(seen.put(k.get(LE_INT, 0), val.get(LE_LONG, 0)), "a key seen twice");
            return true;
        };
        if (batch) assertTrue(m.forEachBatch(v), "BPF_MAP_LOOKUP_BATCH refused (5.6+)");
        else m.forEachKey(v);
        return seen;
    }

    @Test
    void hashOfManyEntriesIsReadInBatchesWithTheSameEntriesAsKeyByKey() {
        // 1 MiB of keys and values a call, 68 bytes an entry: 15420 entries a call, so three calls.
        int n = 40_000;
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 64, n).withName("t_each"))) {
            List<BpfMap.Entry> in = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                in.add(new BpfMap.Entry(u32(k), java.util.Arrays.copyOf(u64(k * 3L + 1), 64)));
                if (in.size() == 10_000) {
                    m.updateBatch(in, BpfMap.ANY);
                    in.clear();
                }
            }
            Map<Integer, Long> batch = collect(m, true);
            assertEquals(n, batch.size());
            for (int k = 0; k < n; k++) assertEquals(k * 3L + 1, batch.get(k));
            assertEquals(batch, collect(m, false));
            assertEquals(BpfMap.Walk.BATCH, m.forEach((k, v) -> true));
            // Stopping early: the visitor's false ends the walk.
            int[] calls = {0};
            m.forEach((k, v) -> ++calls[0] < 5);
            assertEquals(5, calls[0]);
        }
    }

    @Test
    void perCpuArrayBatchesCarryOneValuePerPossibleCpu() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 12, 3))) {
            int cpus = Cpus.possible();
            byte[] v = new byte[16 * cpus];
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < cpus; c++) b.putInt(16 * c, 100 + c).putInt(16 * c + 8, 7);
            m.update(u32(1), v, BpfMap.ANY);
            List<String> rows = new ArrayList<>();
            assertEquals(BpfMap.Walk.BATCH, m.forEach((k, val) -> {
                StringBuilder sb = new StringBuilder().append(k.get(LE_INT, 0));
                for (int c = 0; c < cpus; c++) sb.append(' ').append(val.get(LE_INT, 16L * c)).append('/').append(val.get(LE_INT, 16L * c + 8));
                rows.add(sb.toString());
                return true;
            }));
            StringBuilder one = new StringBuilder("1");
            for (int c = 0; c < cpus; c++) one.append(' ').append(100 + c).append("/7");
            StringBuilder zero = new StringBuilder("0");
            for (int c = 0; c < cpus; c++) zero.append(" 0/0");
            assertEquals(List.of(zero.toString(), one.toString(), zero.toString().replaceFirst("^0", "2")), rows);
        }
    }

    @Test
    void progArraysAreWalkedKeyByKeyAndEmptySlotsReportedAsLookupFailures() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4));
             BpfProgram p = TestPrograms.load(ProgType.SOCKET_FILTER, "t_each", TestPrograms.returning(0))) {
            progs.update(u32(2), u32(p.fd().raw()), BpfMap.ANY);
            List<String> seen = new ArrayList<>();
            BpfMap.Walk walk = progs.forEach(new BpfMap.EntryVisitor() {
                @Override
                public boolean entry(MemorySegment key, MemorySegment value) {
                    seen.add(key.get(LE_INT, 0) + "=" + value.get(LE_INT, 0));
                    return true;
                }

                @Override
                public boolean lookupFailed(MemorySegment key, int errno) {
                    seen.add(key.get(LE_INT, 0) + ":" + Errno.name(errno));
                    return true;
                }
            });
            assertEquals(BpfMap.Walk.KEYS, walk);
            assertEquals(List.of("0:ENOENT", "1:ENOENT", "2=" + p.id(), "3:ENOENT"), seen);
        }
    }

    /**
     * LPM tries have batch lookup in some kernels only (the generic one, added to trie_map_ops
     * after 5.6): where the kernel refuses it, forEachBatch visits nothing and forEach walks keys.
     */
    @Test
    void lpmTrieBatchOrNotSeesTheSamePrefixesAsKeyByKey() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.LPM_TRIE, 8, 8, 16).withFlags(MapSpec.F_NO_PREALLOC))) {
            m.update(new byte[] {24, 0, 0, 0, 10, 1, 2, 0}, u64(5), BpfMap.ANY);
            m.update(new byte[] {16, 0, 0, 0, 10, 1, 0, 0}, u64(6), BpfMap.ANY);
            List<Long> batch = new ArrayList<>();
            boolean batched = m.forEachBatch((k, v) -> batch.add(v.get(LE_LONG, 0)));
            List<Long> keys = new ArrayList<>();
            m.forEachKey((k, v) -> keys.add(v.get(LE_LONG, 0)));
            keys.sort(null);
            assertEquals(List.of(5L, 6L), keys);
            batch.sort(null);
            assertEquals(batched ? keys : List.of(), batch);
            List<Long> any = new ArrayList<>();
            assertEquals(batched ? BpfMap.Walk.BATCH : BpfMap.Walk.KEYS, m.forEach((k, v) -> any.add(v.get(LE_LONG, 0))));
            any.sort(null);
            assertEquals(keys, any);
        }
    }

    @Test
    void pinnedRefusesAProgramPinnedWhereAMapWasExpected() throws Exception {
        Path dir = Path.of("/sys/fs/bpf/bpf4j-test-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        try (BpfProgram p = TestPrograms.load(ProgType.SOCKET_FILTER, "t_pin", TestPrograms.returning(0));
             BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName("t_pinned"))) {
            p.pin(dir.resolve("prog").toString());
            m.pin(dir.resolve("map").toString());
            BpfException e = assertThrows(BpfException.class, () -> BpfMap.pinned(dir.resolve("prog").toString()));
            assertEquals(dir.resolve("prog") + " is a pinned program, not a map", e.getMessage());
            try (BpfMap again = BpfMap.pinned(dir.resolve("map").toString())) {
                assertEquals(m.id(), again.id());
            }
        } finally {
            Files.deleteIfExists(dir.resolve("prog"));
            Files.deleteIfExists(dir.resolve("map"));
            Files.deleteIfExists(dir);
        }
    }
}
