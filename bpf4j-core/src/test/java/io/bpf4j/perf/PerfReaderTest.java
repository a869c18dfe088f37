package io.bpf4j.perf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.Cpus;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.fixtures.Affinity;
import io.bpf4j.fixtures.BufferPrograms;
import io.bpf4j.fixtures.BufferPrograms.Mode;
import io.bpf4j.ringbuf.RingBufDrops;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.bpf4j.fixtures.BufferPrograms.BPF_F_CURRENT_CPU;
import static io.bpf4j.fixtures.BufferPrograms.expected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The perf buffer reader against samples written by bpf_perf_event_output in XDP test runs
 * (root). The test thread is pinned to one CPU while programs run, so the ring each sample lands
 * in is known.
 */
class PerfReaderTest {
    private static final int[] ONLINE = Cpus.online();
    private static final int CPU = ONLINE[ONLINE.length - 1];
    private int fdsBefore;

    @BeforeEach
    void countFds() {
        fdsBefore = Fd.openCount();
    }

    @AfterEach
    void noFdLeft() {
        assertEquals(fdsBefore, Fd.openCount(), "a test left fds open");
    }

    static BpfMap perfMap() {
        return BpfMap.create(PerfReader.mapSpec("events"));
    }

    private static void runOn(int cpu, BufferPrograms p, int times) {
        try (Affinity a = Affinity.pin(cpu, ONLINE)) {
            p.run(times);
        }
    }

    private static List<PerfRecord.Sample> samples(List<PerfRecord> records) {
        List<PerfRecord.Sample> out = new ArrayList<>();
        for (PerfRecord r : records) if (r instanceof PerfRecord.Sample s) out.add(s);
        return out;
    }

    @Test
    void readsBackExactlyTheSamplesOfNTestRuns() {
        try (BpfMap m = perfMap();
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 100, BPF_F_CURRENT_CPU, null);
             PerfReader r = PerfReader.open(m, PerfReader.Options.DEFAULT)) {
            runOn(CPU, p, 50);
            List<PerfRecord> got = r.readAll(0);
            assertEquals(50, got.size());
            for (int i = 0; i < 50; i++) {
                PerfRecord.Sample s = assertInstanceOf(PerfRecord.Sample.class, got.get(i));
                assertEquals(CPU, s.cpu());
                // 4-byte size word + 100 bytes is a whole number of u64s: no padding.
                assertArrayEquals(expected(i + 1, 100), s.data(), "sample " + i);
            }
            assertEquals(50, r.samples());
            assertEquals(0, r.lost());
            assertTrue(r.readAll(0).isEmpty());
        }
    }

    @Test
    void samplesLandInTheRingOfTheCpuTheyWereWrittenOn() {
        assumeTwoCpus();
        try (BpfMap m = perfMap();
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 16, BPF_F_CURRENT_CPU, null);
             PerfReader r = PerfReader.open(m, PerfReader.Options.DEFAULT)) {
            runOn(ONLINE[0], p, 3);
            runOn(ONLINE[1], p, 4);
            List<PerfRecord.Sample> got = samples(r.readAll(0));
            assertEquals(7, got.size());
            long[] onFirst = got.stream().filter(s -> s.cpu() == ONLINE[0]).mapToLong(s -> seq(s.data())).toArray();
            long[] onSecond = got.stream().filter(s -> s.cpu() == ONLINE[1]).mapToLong(s -> seq(s.data())).toArray();
            assertArrayEquals(new long[]{1, 2, 3}, onFirst);
            assertArrayEquals(new long[]{4, 5, 6, 7}, onSecond);
        }
    }

    private static void assumeTwoCpus() {
        // This host has 2 CPUs; the test fails rather than skips if that changes, so it is noticed.
        assertTrue(ONLINE.length >= 2, "needs two online CPUs, have " + Arrays.toString(ONLINE));
    }

    private static long seq(byte[] data) {
        return MemorySegment.ofArray(data).get(JAVA_LONG.withByteAlignment(1), 0) / 1000;
    }

    @Test
    void unalignedSamplesArriveWithTheKernelsPadding() {
        try (BpfMap m = perfMap();
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 5, BPF_F_CURRENT_CPU, null);
             PerfReader r = PerfReader.open(m, PerfReader.Options.DEFAULT)) {
            runOn(CPU, p, 2);
            List<Long> sizes = new ArrayList<>();
            List<byte[]> heads = new ArrayList<>();
            assertEquals(2, r.consume((cpu, data) -> {
                sizes.add(data.byteSize());
                heads.add(data.asSlice(0, 5).toArray(JAVA_BYTE));
            }));
            assertEquals(List.of(12L, 12L), sizes, "4 + 5 bytes rounded up to 16, minus the size word");
            assertArrayEquals(expected(1, 5), heads.get(0));
            assertArrayEquals(expected(2, 5), heads.get(1));
        }
    }

    @Test
    void fullRingLosesSamplesAndTheKernelsLostCountIsReported() {
        try (BpfMap m = perfMap();
             RingBufDrops failures = RingBufDrops.create("perf_fail");
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 128, BPF_F_CURRENT_CPU, failures);
             PerfReader r = PerfReader.open(m, new PerfReader.Options(1, 1))) {
            runOn(CPU, p, 200);
            List<PerfRecord> first = r.readAll(0);
            int fit = samples(first).size();
            // 128 bytes + size word -> 136, plus the 8-byte header: 144 bytes a sample.
            assertEquals(4096 / 144, fit);
            assertEquals(fit, first.size(), "no lost report yet: the kernel writes it with the next sample");
            assertEquals(200 - fit, failures.count(), "the program saw every failed output");
            runOn(CPU, p, 1);
            AtomicLong reported = new AtomicLong();
            List<Long> seqs = new ArrayList<>();
            r.consume(new PerfHandler() {
                @Override
                public void onSample(int cpu, MemorySegment data) {
                    // Raw data follows a 4-byte size word: only 4-byte aligned.
                    seqs.add(data.get(JAVA_LONG_UNALIGNED, 0) / 1000);
                }

                @Override
                public void onLost(int cpu, long count) {
                    assertEquals(CPU, cpu);
                    reported.addAndGet(count);
                }
            });
            assertEquals(200 - fit, reported.get());
            assertEquals(List.of(201L), seqs);
            assertEquals(200 - fit, r.lost());
            assertEquals(200 - fit, r.lost(CPU));
            assertEquals(fit + 1, r.samples());
        }
    }

    @Test
    void lostReportsAreRecordsInTheCopyingApi() {
        try (BpfMap m = perfMap();
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 128, BPF_F_CURRENT_CPU, null);
             PerfReader r = PerfReader.open(m, new PerfReader.Options(1, 1))) {
            runOn(CPU, p, 100);
            int fit = r.readAll(0).size();
            runOn(CPU, p, 1);
            List<PerfRecord> next = r.readAll(0);
            assertEquals(List.of(new PerfRecord.Lost(CPU, 100 - fit)), next.subList(0, 1));
            assertInstanceOf(PerfRecord.Sample.class, next.get(1));
        }
    }

    @Test
    void samplesThatWrapAroundTheRingEndAreDeliveredWhole() {
        // 100-byte samples take 112 bytes; 4096 is no multiple, so most rounds wrap one.
        try (BpfMap m = perfMap();
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 100, BPF_F_CURRENT_CPU, null);
             PerfReader r = PerfReader.open(m, new PerfReader.Options(1, 1))) {
            int perRound = 4096 / 112 - 1;
            long seq = 1;
            for (int round = 0; round < 20; round++) {
                runOn(CPU, p, perRound);
                List<PerfRecord.Sample> got = new ArrayList<>();
                r.consume((cpu, data) -> got.add(new PerfRecord.Sample(cpu, data.toArray(JAVA_BYTE))));
                assertEquals(perRound, got.size(), "round " + round);
                for (int i = 0; i < perRound; i++) assertArrayEquals(expected(seq + i, 100), got.get(i).data());
                seq += perRound;
            }
            assertEquals(0, r.lost());
        }
    }

    @Test
    void blockedPollWakesUpOnASample() throws Exception {
        try (BpfMap m = perfMap();
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 8, BPF_F_CURRENT_CPU, null);
             PerfReader r = PerfReader.open(m, PerfReader.Options.DEFAULT)) {
            AtomicReference<PerfRecord> got = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = Thread.ofPlatform().start(() -> {
                started.countDown();
                got.set(r.read(10_000).orElse(null));
            });
            started.await();
            Thread.sleep(100);
            long t0 = System.nanoTime();
            runOn(CPU, p, 1);
            t.join(5_000);
            assertFalse(t.isAlive());
            PerfRecord.Sample s = assertInstanceOf(PerfRecord.Sample.class, got.get());
            assertArrayEquals(expected(1, 8), Arrays.copyOf(s.data(), 8));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "woken by the sample, not the timeout");
        }
    }

    @Test
    void closeFromAnotherThreadWakesThePollClosesEveryFdAndEmptiesTheMap() throws Exception {
        try (BpfMap m = perfMap();
             RingBufDrops failures = RingBufDrops.create("perf_fail");
             BufferPrograms p = BufferPrograms.load(Mode.PERF_OUTPUT, m, 8, BPF_F_CURRENT_CPU, failures)) {
            int before = Fd.openCount();
            PerfReader r = PerfReader.open(m, PerfReader.Options.DEFAULT);
            assertEquals(before + 3 + ONLINE.length, Fd.openCount(), "map dup, epoll, eventfd and one event per CPU");
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    r.run((cpu, data) -> {});
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            started.await();
            Thread.sleep(100);
            long t0 = System.nanoTime();
            r.close();
            t.join(2_000);
            assertFalse(t.isAlive(), "run() returned after close");
            assertNull(error.get());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
            assertEquals(before, Fd.openCount());
            assertThrows(IllegalStateException.class, () -> r.poll((cpu, data) -> {}, 0));
            // The slots are empty: the program's output now fails (ENOENT) and is counted.
            runOn(CPU, p, 3);
            assertEquals(3, failures.count());
        }
    }

    @Test
    void refusesMapsThatAreNotPerfEventArraysOrTooSmall() {
        try (BpfMap arr = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 1))) {
            BpfException e = assertThrows(BpfException.class, () -> PerfReader.open(arr, PerfReader.Options.DEFAULT));
            assertTrue(e.getMessage().contains("PERF_EVENT_ARRAY"), e.getMessage());
        }
        if (CPU > 0) {
            try (BpfMap small = BpfMap.create(MapSpec.of(MapType.PERF_EVENT_ARRAY, 4, 4, 1))) {
                BpfException e = assertThrows(BpfException.class, () -> PerfReader.open(small, PerfReader.Options.DEFAULT));
                assertTrue(e.getMessage().contains("mapSpec"), e.getMessage());
            }
        }
        assertThrows(BpfException.class, () -> new PerfReader.Options(3, 1));
    }
}
