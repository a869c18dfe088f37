package io.bpf4j.ringbuf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.MapType;
import io.bpf4j.internal.Epoll;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads a {@code BPF_MAP_TYPE_RINGBUF} in place, as libbpf's {@code ring_buffer} does: the
 * consumer position page is mapped read-write, the producer position and the data read-only,
 * with the data mapped twice back to back by the kernel so that a record that wraps around the
 * end is still one contiguous view. Requires Linux 5.8.
 *
 * <pre>{@code
 * try (RingBufReader r = RingBufReader.open(events)) {
 *     while (!r.isClosed()) r.poll(rec -> handle(rec.get(JAVA_LONG, 0)), -1);
 * }
 * }</pre>
 *
 * <p>Two APIs: {@link #poll}/{@link #consume} hand each record to a {@link RecordHandler} as a
 * view valid during the call (no copy, no allocation per record beyond the view); {@link #read}
 * and {@link #readAll} return copies. Waiting uses epoll on the map fd (the kernel wakes it when a
 * record is committed while the reader has caught up, or on {@code BPF_RB_FORCE_WAKEUP}; a
 * producer passing {@code BPF_RB_NO_WAKEUP} is seen at the next wake-up or timeout), never a busy
 * loop.
 *
 * <p>Lost records: the kernel drops at the producer (reserve fails when the buffer is full) and
 * counts nothing. Give the reader the {@link RingBufDrops} counter the program bumps on failure
 * and {@link #stats()} reports it; records the program discarded itself are counted too.
 *
 * <p>One thread polls at a time (others wait for it). {@link #close()} may be called from any
 * thread, a shutdown hook for instance: it wakes a blocked poll, waits for a running handler to
 * return, then unmaps and closes. The map itself stays owned by the caller.
 */
public final class RingBufReader implements AutoCloseable {
    /** Header bits of a record's length word (include/uapi/linux/bpf.h). */
    static final int BUSY_BIT = 1 << 31, DISCARD_BIT = 1 << 30, HDR_SIZE = 8;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final Fd fd;
    private final Epoll epoll;
    private final Arena arena;
    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final MemorySegment data;
    private final long mask;
    private final int capacity;
    private final RingBufDrops drops;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    private boolean released;
    private volatile long delivered, discarded;

    private RingBufReader(Fd fd, Epoll epoll, Arena arena, MemorySegment consumer, MemorySegment producer,
                          MemorySegment data, int capacity, RingBufDrops drops, String name) {
        this.fd = fd;
        this.epoll = epoll;
        this.arena = arena;
        this.consumer = consumer;
        this.producer = producer;
        this.data = data;
        this.capacity = capacity;
        this.mask = capacity - 1L;
        this.drops = drops;
        this.name = name;
    }

    /** A reader of {@code map}, which must be a ring buffer; the map stays owned by the caller. */
    public static RingBufReader open(BpfMap map) {
        return open(map, null);
    }

    /**
     * A reader that also reports the drop counter its producers increment on failure.
     *
     * @throws BpfException if {@code map} is not a {@code BPF_MAP_TYPE_RINGBUF}, or mapping or
     *     epoll setup fails
     */
    public static RingBufReader open(BpfMap map, RingBufDrops drops) {
        if (map.type() != MapType.RINGBUF)
            throw new BpfException("open ring buffer reader: " + map + " is not a BPF_MAP_TYPE_RINGBUF");
        long page = Syscalls.pageSize();
        int size = map.maxEntries();
        if (Integer.bitCount(size) != 1 || size < page)
            throw new BpfException("ring buffer " + map.name() + ": size " + size
                    + " is not a power of two of at least one page; not a ring buffer the kernel made");
        // Our own fd: the epoll registration and the mappings must not depend on the caller
        // keeping theirs open.
        Fd own = map.fd().dup();
        Arena arena = Arena.ofShared();
        Epoll epoll = null;
        try {
            String what = "mmap ring buffer " + map.name();
            MemorySegment cons = mapped(arena, page, Syscalls.PROT_READ | Syscalls.PROT_WRITE, own, 0, what + " consumer page");
            MemorySegment prodAndData = mapped(arena, page + 2L * size, Syscalls.PROT_READ, own, page, what + " data");
            epoll = new Epoll(1);
            epoll.add(own, 0);
            return new RingBufReader(own, epoll, arena, cons, prodAndData.asSlice(0, page),
                    prodAndData.asSlice(page, 2L * size), size, drops, map.name());
        } catch (RuntimeException e) {
            if (epoll != null) epoll.close();
            arena.close();
            own.close();
            throw e;
        }
    }

    /** Maps {@code length} bytes of {@code fd}; the arena's close unmaps them. */
    static MemorySegment mapped(Arena arena, long length, int prot, Fd fd, long offset, String what) {
        long addr = Syscalls.mmap(length, prot, Syscalls.MAP_SHARED, fd.raw(), offset);
        if (addr < 0) {
            throw new BpfException(what, (int) -addr, addr == -Errno.EPERM || addr == -Errno.ENOMEM
                    ? "the mapping is charged to RLIMIT_MEMLOCK or the memory cgroup" : null);
        }
        return MemorySegment.ofAddress(addr).reinterpret(length, arena, s -> Syscalls.munmap(s, length));
    }

    /** Data bytes of the buffer (the map's max_entries). */
    public int capacity() {
        return capacity;
    }

    /**
     * Delivers every record available now to {@code handler}, without waiting.
     *
     * @return the number of records delivered (discarded ones are counted in {@link #stats()})
     * @throws IllegalStateException if the reader is closed
     */
    public int consume(RecordHandler handler) {
        return consume(handler, Integer.MAX_VALUE);
    }

    /** Like {@link #consume(RecordHandler)}, delivering at most {@code limit} records. */
    public int consume(RecordHandler handler, int limit) {
        lock.lock();
        try {
            ensureOpen();
            return drain(handler, limit);
        } finally {
            unlock();
        }
    }

    /**
     * Delivers the available records; if there are none, waits up to {@code timeoutMs} (negative:
     * forever) for some. Returns 0 on timeout, or when {@link #close()} was called meanwhile.
     *
     * @throws IllegalStateException if the reader was closed before the call
     */
    public int poll(RecordHandler handler, int timeoutMs) {
        return poll(handler, Integer.MAX_VALUE, timeoutMs);
    }

    /** Like {@link #poll(RecordHandler, int)}, delivering at most {@code limit} records. */
    public int poll(RecordHandler handler, int limit, int timeoutMs) {
        lock.lock();
        try {
            ensureOpen();
            return pollLocked(handler, limit, timeoutMs);
        } finally {
            unlock();
        }
    }

    /**
     * Polls until {@link #close()} is called (from a handler, another thread or a shutdown hook),
     * then returns normally.
     */
    public void run(RecordHandler handler) {
        while (true) {
            lock.lock();
            try {
                if (closed) return;
                pollLocked(handler, Integer.MAX_VALUE, -1);
            } finally {
                unlock();
            }
        }
    }

    /** The next record, copied; empty after {@code timeoutMs} (negative: forever) or on close. */
    public Optional<byte[]> read(int timeoutMs) {
        byte[][] out = new byte[1][];
        poll(r -> out[0] = r.toArray(JAVA_BYTE), 1, timeoutMs);
        return Optional.ofNullable(out[0]);
    }

    /** Every record available after waiting up to {@code timeoutMs} for the first, copied. */
    public List<byte[]> readAll(int timeoutMs) {
        List<byte[]> out = new ArrayList<>();
        poll(r -> out.add(r.toArray(JAVA_BYTE)), timeoutMs);
        return out;
    }

    private int pollLocked(RecordHandler handler, int limit, int timeoutMs) {
        int n = drain(handler, limit);
        if (n > 0 || timeoutMs == 0) return n;
        long deadline = timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000L : 0;
        int wait = timeoutMs;
        while (!closed) {
            int ready = epoll.await(wait);
            if (closed) return 0;
            n = drain(handler, limit);
            if (n > 0) return n;
            if (ready == 0) return 0;
            // Ready but nothing delivered: only discarded records, or the next one is still
            // reserved (BUSY) by a program running on another CPU. A BPF program must submit or
            // discard before it exits, so this lasts microseconds; yield rather than spin hard.
            if (available() > 0) Thread.yield();
            if (timeoutMs > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return 0;
                wait = (int) Math.max(1, left / 1_000_000L);
            }
        }
        return 0;
    }

    /** The hot loop; runs under the lock. */
    private int drain(RecordHandler handler, int limit) {
        long cons = (long) LONG.getAcquire(consumer, 0L);
        int n = 0;
        long skipped = 0;
        try {
            while (n < limit && !closed) {
                long prod = (long) LONG.getAcquire(producer, 0L);
                if (cons >= prod) break;
                while (cons < prod && n < limit && !closed) {
                    long off = cons & mask;
                    int hdr = (int) INT.getAcquire(data, off);
                    if ((hdr & BUSY_BIT) != 0) return n;
                    int len = hdr & ~(BUSY_BIT | DISCARD_BIT);
                    if (len > capacity - HDR_SIZE)
                        throw new BpfException("ring buffer " + name + ": record length " + len + " at position "
                                + cons + " exceeds the capacity " + capacity + "; the buffer is corrupt");
                    long next = cons + ((len + HDR_SIZE + 7) & ~7L);
                    try {
                        if ((hdr & DISCARD_BIT) == 0) {
                            n++;
                            handler.onRecord(data.asSlice(off + HDR_SIZE, len));
                        } else {
                            skipped++;
                        }
                    } finally {
                        // Consumed even if the handler threw; the space goes back to the kernel
                        // only after the handler is done with the view.
                        cons = next;
                        LONG.setRelease(consumer, 0L, cons);
                    }
                }
            }
            return n;
        } finally {
            if (n != 0) delivered += n;
            if (skipped != 0) discarded += skipped;
        }
    }

    /** Bytes written by producers and not yet consumed (including reserved, uncommitted records). */
    public long available() {
        ensureOpen();
        return (long) LONG.getAcquire(producer, 0L) - (long) LONG.getAcquire(consumer, 0L);
    }

    /** Counters of this reader, and the drops its producers counted. */
    public record Stats(long delivered, long discarded, OptionalLong dropped, long available, int capacity) {}

    /**
     * Records delivered and discarded so far, bytes pending, and the drop counter's value if one
     * was given to {@link #open(BpfMap, RingBufDrops)} (empty otherwise: the kernel keeps none).
     */
    public Stats stats() {
        return new Stats(delivered, discarded, drops == null ? OptionalLong.empty() : OptionalLong.of(drops.count()),
                available(), capacity);
    }

    /**
     * The reader's own fd of the map (owned by this reader), readable (EPOLLIN) while data is
     * available: for an external event loop that then calls {@link #consume}.
     */
    public Fd fd() {
        return fd;
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("ring buffer reader " + name + " is closed");
    }

    private void unlock() {
        boolean last = lock.getHoldCount() == 1;
        if (last && closed && !released) release();
        lock.unlock();
    }

    /**
     * Wakes a blocked poll, waits for it (and a running handler) to finish, then unmaps the
     * buffer and closes the fds. Idempotent; callable from any thread and from a handler (then
     * the release happens when the poll returns).
     */
    @Override
    public void close() {
        closed = true;
        epoll.wake();
        if (lock.isHeldByCurrentThread()) return;
        lock.lock();
        try {
            if (!released) release();
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        released = true;
        try {
            arena.close();
        } finally {
            try {
                epoll.close();
            } finally {
                fd.close();
            }
        }
    }

    @Override
    public String toString() {
        return "RingBufReader[" + name + " " + capacity + " bytes" + (closed ? " closed" : "") + "]";
    }
}
