package io.bpf4j.ringbuf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.fixtures.BufferPrograms;
import io.bpf4j.fixtures.BufferPrograms.Mode;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.bpf4j.fixtures.BufferPrograms.expected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** The ring buffer reader against records written by real programs in BPF_PROG_TEST_RUN (root, 5.8+). */
class RingBufReaderTest {
    private int fdsBefore;

    @BeforeEach
    void countFds() {
        fdsBefore = Fd.openCount();
    }

    @AfterEach
    void noFdLeft() {
        assertEquals(fdsBefore, Fd.openCount(), "a test left fds open");
    }

    static BpfMap ringbuf(int size) {
        return BpfMap.create(MapSpec.of(MapType.RINGBUF, 0, 0, size).withName("rb"));
    }

    private static void assertRecords(List<byte[]> got, long firstSeq, int len) {
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(expected(firstSeq + i, len), got.get(i), "record " + i + " (seq " + (firstSeq + i) + ")");
        }
    }

    @Test
    void readsBackExactlyTheRecordsOfNTestRunsWithOutput() {
        try (BpfMap rb = ringbuf(1 << 16);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 100, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            p.run(50);
            List<byte[]> got = r.readAll(0);
            assertEquals(50, got.size());
            assertRecords(got, 1, 100);
            assertEquals(0, r.available(), "everything consumed");
            assertTrue(r.readAll(0).isEmpty());
            assertEquals(50, r.stats().delivered());
        }
    }

    @Test
    void zeroCopyHandlerSeesRecordsInPlaceWithTheirExactLength() {
        try (BpfMap rb = ringbuf(1 << 16);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_RESERVE_SUBMIT, rb, 128, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            p.run(200);
            List<Long> firstWords = new ArrayList<>();
            int n = r.consume(rec -> {
                assertEquals(128, rec.byteSize());
                firstWords.add(rec.get(JAVA_LONG, 0));
                assertEquals(firstWords.size() * 1000L + 15, rec.get(JAVA_LONG, 120));
            });
            assertEquals(200, n);
            for (int i = 0; i < 200; i++) assertEquals((i + 1) * 1000L, firstWords.get(i));
        }
    }

    @Test
    void consumeHonoursTheLimitAndResumesWhereItStopped() {
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 24, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            p.run(10);
            List<byte[]> got = new ArrayList<>();
            assertEquals(3, r.consume(rec -> got.add(rec.toArray(JAVA_BYTE)), 3));
            assertEquals(7, r.consume(rec -> got.add(rec.toArray(JAVA_BYTE))));
            assertEquals(10, got.size());
            assertRecords(got, 1, 24);
            Optional<byte[]> none = r.read(0);
            assertTrue(none.isEmpty());
        }
    }

    @Test
    void recordsThatWrapAroundTheEndAreReadWhole() {
        // 100-byte records take 112 bytes with the header; 4096 is not a multiple, so records
        // straddle the end of the data area on most rounds.
        int size = (int) io.bpf4j.internal.sys.Syscalls.pageSize();
        try (BpfMap rb = ringbuf(size);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 100, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            int perRound = size / 112 - 1;
            long seq = 1;
            for (int round = 0; round < 20; round++) {
                p.run(perRound);
                List<byte[]> got = r.readAll(0);
                assertEquals(perRound, got.size(), "round " + round);
                assertRecords(got, seq, 100);
                seq += perRound;
            }
            assertTrue((seq - 1) * 112 > 4L * size, "positions went several times around the buffer");
        }
    }

    @Test
    void fullBufferDropsAtTheProducerAndTheDropCounterSaysHowMany() {
        int size = (int) io.bpf4j.internal.sys.Syscalls.pageSize();
        int fits = size / 136; // 128-byte records plus the 8-byte header
        try (BpfMap rb = ringbuf(size);
             RingBufDrops drops = RingBufDrops.create("rb_drops");
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_RESERVE_SUBMIT, rb, 128, 0, drops);
             RingBufReader r = RingBufReader.open(rb, drops)) {
            p.run(100);
            List<byte[]> got = r.readAll(0);
            assertEquals(fits, got.size());
            assertRecords(got, 1, 128);
            RingBufReader.Stats s = r.stats();
            assertEquals(100 - fits, s.dropped().orElseThrow());
            assertEquals(fits, s.delivered());
            // Space is back: the next runs are delivered again and drop nothing more.
            p.run(5);
            assertEquals(5, r.readAll(0).size());
            assertEquals(100 - fits, r.stats().dropped().orElseThrow());
        }
    }

    @Test
    void outputFailuresAreCountedLikeReserveFailures() {
        int size = (int) io.bpf4j.internal.sys.Syscalls.pageSize();
        try (BpfMap rb = ringbuf(size);
             RingBufDrops drops = RingBufDrops.create("rb_drops");
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 64, 0, drops);
             RingBufReader r = RingBufReader.open(rb, drops)) {
            p.run(300);
            int got = r.readAll(0).size();
            assertEquals(size / 72, got);
            assertEquals(300 - got, drops.count());
        }
    }

    @Test
    void discardedRecordsAreSkippedAndCounted() {
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_RESERVE_DISCARD, rb, 16, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            p.run(12);
            assertEquals(0, r.consume(rec -> fail("discarded record delivered")));
            assertEquals(12, r.stats().discarded());
            assertEquals(0, r.available());
        }
    }

    @Test
    void blockedPollWakesUpWhenAProgramSubmits() throws Exception {
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 8, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            AtomicReference<byte[]> got = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = Thread.ofPlatform().start(() -> {
                started.countDown();
                got.set(r.read(10_000).orElse(null));
            });
            started.await();
            Thread.sleep(100); // let it block in epoll_wait
            long t0 = System.nanoTime();
            p.run(1);
            t.join(5_000);
            assertFalse(t.isAlive());
            assertArrayEquals(expected(1, 8), got.get());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "woken by the commit, not the timeout");
        }
    }

    @Test
    void noWakeupRecordsAreStillFoundByTheNextPoll() {
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 8, BufferPrograms.BPF_RB_NO_WAKEUP, null);
             RingBufReader r = RingBufReader.open(rb)) {
            p.run(3);
            assertEquals(3, r.poll(rec -> {}, 1000));
        }
    }

    @Test
    void pollTimesOutWithZeroWhenNothingArrives() {
        try (BpfMap rb = ringbuf(1 << 14); RingBufReader r = RingBufReader.open(rb)) {
            long t0 = System.nanoTime();
            assertEquals(0, r.poll(rec -> fail("no record"), 200));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 150 && ms < 2000, "waited " + ms + " ms");
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedPollAndReleasesEverything() throws Exception {
        try (BpfMap rb = ringbuf(1 << 14)) {
            int before = Fd.openCount();
            RingBufReader r = RingBufReader.open(rb);
            assertEquals(before + 3, Fd.openCount(), "map dup, epoll and eventfd");
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    r.run(rec -> {});
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
            assertTrue(r.isClosed());
            assertThrows(IllegalStateException.class, () -> r.poll(rec -> {}, 0));
            r.close(); // idempotent
        }
    }

    @Test
    void aViewKeptPastCloseThrowsInsteadOfReadingUnmappedMemory() {
        MemorySegment[] kept = new MemorySegment[1];
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 8, 0, null)) {
            try (RingBufReader r = RingBufReader.open(rb)) {
                p.run(1);
                assertEquals(1, r.consume(rec -> kept[0] = rec));
            }
        }
        assertThrows(IllegalStateException.class, () -> kept[0].get(JAVA_LONG, 0));
    }

    @Test
    void closeFromInsideTheHandlerStopsDeliveryAndReleasesAfterThePoll() {
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 8, 0, null)) {
            int before = Fd.openCount();
            RingBufReader r = RingBufReader.open(rb);
            p.run(5);
            AtomicInteger seen = new AtomicInteger();
            r.run(rec -> {
                if (seen.incrementAndGet() == 2) r.close();
            });
            assertEquals(2, seen.get());
            assertEquals(before, Fd.openCount());
        }
    }

    @Test
    void handlerExceptionPropagatesAndItsRecordCountsAsConsumed() {
        try (BpfMap rb = ringbuf(1 << 14);
             BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 8, 0, null);
             RingBufReader r = RingBufReader.open(rb)) {
            p.run(3);
            assertThrows(ArithmeticException.class, () -> r.consume(rec -> { throw new ArithmeticException("boom"); }));
            List<byte[]> rest = r.readAll(0);
            assertEquals(2, rest.size());
            assertRecords(rest, 2, 8);
        }
    }

    @Test
    void refusesMapsThatAreNotRingBuffers() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 1))) {
            BpfException e = assertThrows(BpfException.class, () -> RingBufReader.open(m));
            assertTrue(e.getMessage().contains("BPF_MAP_TYPE_RINGBUF"), e.getMessage());
        }
    }

    @Test
    void readerOutlivesTheCallersMapFd() {
        BpfMap rb = ringbuf(1 << 14);
        BufferPrograms p = BufferPrograms.load(Mode.RINGBUF_OUTPUT, rb, 8, 0, null);
        try (RingBufReader r = RingBufReader.open(rb)) {
            rb.close();
            p.run(2); // the program keeps the map alive
            assertEquals(2, r.poll(rec -> {}, 1000));
        } finally {
            p.close();
        }
    }
}
