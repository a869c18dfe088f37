package io.bpf4j.perf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.Cpus;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.internal.Epoll;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Reads a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} the way libbpf's {@code perf_buffer} does: one
 * {@code PERF_COUNT_SW_BPF_OUTPUT} event per online CPU, each with its own mmap'ed ring, its fd
 * stored in the map at the CPU's index so that {@code bpf_perf_event_output(ctx, &map,
 * BPF_F_CURRENT_CPU, ...)} finds it, and one epoll set over all of them.
 *
 * <pre>{@code
 * try (BpfMap events = BpfMap.create(PerfReader.mapSpec("events"));
 *      PerfReader r = PerfReader.open(events, PerfReader.Options.DEFAULT)) {
 *     ... load and attach a program writing to events ...
 *     r.run((cpu, data) -> handle(data));
 * }
 * }</pre>
 *
 * <p>Two APIs: {@link #poll}/{@link #consume} hand samples to a {@link PerfHandler} as views valid
 * during the call; {@link #read}/{@link #readAll} return {@link PerfRecord} copies. A full ring makes
 * the kernel drop samples and later write a PERF_RECORD_LOST with the count: the reader adds it
 * to {@link #lost()} and {@link #lost(int)}, calls {@link PerfHandler#onLost} and, in the copying
 * API, returns a {@link PerfRecord.Lost}. Nothing is dropped silently.
 *
 * <p>One thread polls at a time. {@link #close()} may be called from any thread: it wakes a
 * blocked poll, waits for it, removes the events from the map, unmaps and closes. The map stays
 * owned by the caller.
 */
public final class PerfReader implements AutoCloseable {
    /** How each CPU's event and ring are set up. */
    public record Options(int pagesPerCpu, int wakeupEvents) {
        /** 8 pages (32 KiB on x86-64) per CPU; wake the reader on every sample, as libbpf does. */
        public static final Options DEFAULT = new Options(8, 1);

        /**
         * @param pagesPerCpu  data pages per CPU ring, a power of two
         * @param wakeupEvents samples per wake-up; more saves wake-ups, but a poll may then wait
         *                     for the timeout with fewer samples pending
         */
        public Options {
            if (pagesPerCpu < 1 || Integer.bitCount(pagesPerCpu) != 1)
                throw new BpfException("perf buffer: pages per CPU must be a power of two, not " + pagesPerCpu);
            if (wakeupEvents < 1) throw new BpfException("perf buffer: wakeup events must be at least 1, not " + wakeupEvents);
        }
    }

    /** A map spec with one slot per possible CPU, as the reader needs. */
    public static MapSpec mapSpec(String name) {
        return MapSpec.of(MapType.PERF_EVENT_ARRAY, 4, 4, Cpus.possible()).withName(name);
    }

    static final int PERF_TYPE_SOFTWARE = 1, PERF_COUNT_SW_BPF_OUTPUT = 10;
    static final long PERF_SAMPLE_RAW = 1 << 10, PERF_FLAG_FD_CLOEXEC = 8;
    static final long PERF_EVENT_IOC_ENABLE = 0x2400, PERF_EVENT_IOC_DISABLE = 0x2401;
    static final int PERF_RECORD_LOST = 2, PERF_RECORD_SAMPLE = 9;
    /** struct perf_event_mmap_page: data_head and data_tail (stable uapi offsets). */
    static final long DATA_HEAD = 1024, DATA_TAIL = 1032;
    /** perf_event_header.size is a u16. */
    static final int MAX_RECORD = 0xffff;

    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /** One CPU's event and ring. */
    private static final class Ring {
        final int cpu;
        final Fd fd;
        MemorySegment meta, data;
        long mask, size;
        long tail;

        Ring(int cpu, Fd fd) {
            this.cpu = cpu;
            this.fd = fd;
        }
    }

    private final Fd mapFd;
    private final Ring[] rings;
    private final AtomicLongArray lostPerCpu;
    private final Epoll epoll;
    private final Arena arena;
    private final MemorySegment scratch;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    private boolean released;
    private volatile long samples, lost, other;
    private int next;

    private PerfReader(Fd mapFd, Ring[] rings, Epoll epoll, Arena arena, String name) {
        this.mapFd = mapFd;
        this.rings = rings;
        this.epoll = epoll;
        this.arena = arena;
        this.name = name;
        int maxCpu = 0;
        for (Ring r : rings) maxCpu = Math.max(maxCpu, r.cpu);
        this.lostPerCpu = new AtomicLongArray(maxCpu + 1);
        this.scratch = arena.allocate(MAX_RECORD + 1, 8);
    }

    /**
     * Opens an event and a ring on every online CPU and stores the event fds in {@code map}.
     *
     * @throws BpfException if {@code map} is not a perf event array, has fewer slots than the
     *     highest online CPU needs, or an event, mapping or map update fails
     */
    public static PerfReader open(BpfMap map, Options options) {
        if (map.type() != MapType.PERF_EVENT_ARRAY)
            throw new BpfException("open perf buffer: " + map + " is not a BPF_MAP_TYPE_PERF_EVENT_ARRAY");
        int[] cpus = Cpus.online();
        for (int cpu : cpus) {
            if (cpu >= map.maxEntries())
                throw new BpfException("open perf buffer " + map.name() + ": CPU " + cpu + " is online but the map has "
                        + map.maxEntries() + " slots; create it with PerfReader.mapSpec (one slot per possible CPU)");
        }
        long page = Syscalls.pageSize();
        Fd mapFd = map.fd().dup();
        Arena arena = Arena.ofShared();
        List<Ring> rings = new ArrayList<>();
        Epoll epoll = null;
        try {
            epoll = new Epoll(cpus.length);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment attr = a.allocate(Layouts.PerfEventAttr.LAYOUT.byteSize(), 8);
                attr.set(JAVA_INT, Layouts.PerfEventAttr.TYPE, PERF_TYPE_SOFTWARE);
                attr.set(JAVA_INT, Layouts.PerfEventAttr.SIZE, Layouts.PerfEventAttr.ATTR_SIZE);
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.CONFIG, PERF_COUNT_SW_BPF_OUTPUT);
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.SAMPLE_PERIOD, 1);
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.SAMPLE_TYPE, PERF_SAMPLE_RAW);
                attr.set(JAVA_INT, Layouts.PerfEventAttr.WAKEUP_EVENTS, options.wakeupEvents());
                MemorySegment key = a.allocate(JAVA_INT), value = a.allocate(JAVA_INT);
                for (int i = 0; i < cpus.length; i++) {
                    int cpu = cpus[i];
                    int raw = Syscalls.perfEventOpen(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
                    if (raw < 0) throw new BpfException("perf_event_open BPF output on CPU " + cpu, -raw,
                            -raw == Errno.EACCES || -raw == Errno.EPERM ? "needs CAP_PERFMON or root (kernel.perf_event_paranoid)" : null);
                    Ring ring = new Ring(cpu, Fd.adopt(raw, "perf_event_open"));
                    rings.add(ring);
                    long dataSize = page * options.pagesPerCpu();
                    long len = page + dataSize;
                    long addr = Syscalls.mmap(len, Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, ring.fd.raw(), 0);
                    if (addr < 0) {
                        throw new BpfException("mmap perf ring of CPU " + cpu, (int) -addr, addr == -Errno.EPERM
                                ? "over kernel.perf_event_mlock_kb and RLIMIT_MEMLOCK; use fewer pages per CPU" : null);
                    }
                    MemorySegment m = MemorySegment.ofAddress(addr).reinterpret(len, arena, s -> Syscalls.munmap(s, len));
                    ring.meta = m.asSlice(0, page);
                    ring.data = m.asSlice(page, dataSize);
                    ring.size = dataSize;
                    ring.mask = dataSize - 1;
                    ring.tail = (long) LONG.getAcquire(ring.meta, DATA_TAIL);
                    int rc = Syscalls.ioctl(ring.fd.raw(), PERF_EVENT_IOC_ENABLE, 0);
                    if (rc < 0) throw new BpfException("enable perf event on CPU " + cpu, -rc, null);
                    key.set(JAVA_INT, 0, cpu);
                    value.set(JAVA_INT, 0, ring.fd.raw());
                    map.update(key, value, BpfMap.ANY);
                    epoll.add(ring.fd, i);
                }
            }
            return new PerfReader(mapFd, rings.toArray(Ring[]::new), epoll, arena, map.name());
        } catch (RuntimeException e) {
            clearSlots(mapFd, rings);
            arena.close();
            for (Ring r : rings) r.fd.close();
            if (epoll != null) epoll.close();
            mapFd.close();
            throw e;
        }
    }

    /** Empties the map slots we filled, so programs stop writing to events about to close. */
    private static void clearSlots(Fd mapFd, List<Ring> rings) {
        if (rings.isEmpty()) return;
        try (Arena a = Arena.ofConfined(); BpfMap own = BpfMap.fromFd(mapFd.dup())) {
            MemorySegment key = a.allocate(JAVA_INT);
            for (Ring r : rings) {
                key.set(JAVA_INT, 0, r.cpu);
                own.delete(key);
                if (!r.fd.isClosed()) Syscalls.ioctl(r.fd.raw(), PERF_EVENT_IOC_DISABLE, 0);
            }
        }
    }

    /** CPUs with a ring, in ring order. */
    public int[] cpus() {
        int[] c = new int[rings.length];
        for (int i = 0; i < rings.length; i++) c[i] = rings[i].cpu;
        return c;
    }

    /** Delivers every record available now, without waiting; returns samples plus lost reports delivered. */
    public int consume(PerfHandler handler) {
        return consume(handler, Integer.MAX_VALUE);
    }

    /** Like {@link #consume(PerfHandler)}, delivering at most {@code limit} records. */
    public int consume(PerfHandler handler, int limit) {
        lock.lock();
        try {
            ensureOpen();
            return drainAll(handler, limit);
        } finally {
            unlock();
        }
    }

    /**
     * Delivers the available records; if there are none, waits up to {@code timeoutMs} (negative:
     * forever). Returns the number of samples and lost reports delivered: 0 on timeout or when
     * {@link #close()} was called meanwhile.
     *
     * @throws IllegalStateException if the reader was closed before the call
     */
    public int poll(PerfHandler handler, int timeoutMs) {
        return poll(handler, Integer.MAX_VALUE, timeoutMs);
    }

    /** Like {@link #poll(PerfHandler, int)}, delivering at most {@code limit} records. */
    public int poll(PerfHandler handler, int limit, int timeoutMs) {
        lock.lock();
        try {
            ensureOpen();
            return pollLocked(handler, limit, timeoutMs);
        } finally {
            unlock();
        }
    }

    /** Polls until {@link #close()} is called, then returns normally. */
    public void run(PerfHandler handler) {
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
    public Optional<PerfRecord> read(int timeoutMs) {
        List<PerfRecord> out = new ArrayList<>(1);
        poll(copier(out), 1, timeoutMs);
        return out.isEmpty() ? Optional.empty() : Optional.of(out.getFirst());
    }

    /** Every record available after waiting up to {@code timeoutMs} for the first, copied. */
    public List<PerfRecord> readAll(int timeoutMs) {
        List<PerfRecord> out = new ArrayList<>();
        poll(copier(out), timeoutMs);
        return out;
    }

    private static PerfHandler copier(List<PerfRecord> out) {
        return new PerfHandler() {
            @Override
            public void onSample(int cpu, MemorySegment data) {
                out.add(new PerfRecord.Sample(cpu, data.toArray(JAVA_BYTE)));
            }

            @Override
            public void onLost(int cpu, long count) {
                out.add(new PerfRecord.Lost(cpu, count));
            }
        };
    }

    private int pollLocked(PerfHandler handler, int limit, int timeoutMs) {
        int n = drainAll(handler, limit);
        if (n > 0 || timeoutMs == 0) return n;
        long deadline = timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000L : 0;
        int wait = timeoutMs;
        while (!closed) {
            int ready = epoll.await(wait);
            if (closed) return 0;
            // Perf rings report readiness once per wake-up, so drain every ring, not only the
            // ready ones: a ring left with data would not wake us again.
            n = drainAll(handler, limit);
            if (n > 0 || ready == 0) return n;
            if (timeoutMs > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return 0;
                wait = (int) Math.max(1, left / 1_000_000L);
            }
        }
        return 0;
    }

    /** Round-robin over the rings so that a limit does not starve the later CPUs. */
    private int drainAll(PerfHandler handler, int limit) {
        int n = 0;
        for (int k = 0; k < rings.length && n < limit && !closed; k++) {
            Ring r = rings[next];
            n += drain(r, handler, limit - n);
            if (n < limit) next = (next + 1) % rings.length;
        }
        return n;
    }

    private int drain(Ring r, PerfHandler handler, int limit) {
        int n = 0;
        long gotSamples = 0, gotLost = 0, gotOther = 0;
        try {
            while (n < limit && !closed) {
                long head = (long) LONG.getAcquire(r.meta, DATA_HEAD);
                if (r.tail >= head) break;
                while (r.tail < head && n < limit && !closed) {
                    long off = r.tail & r.mask;
                    int type = r.data.get(JAVA_INT, off);
                    int size = r.data.get(JAVA_SHORT, off + 6) & 0xffff;
                    if (size < 8 || size > r.size || (size & 7) != 0)
                        throw new BpfException("perf buffer " + name + ", CPU " + r.cpu + ": record of " + size
                                + " bytes at position " + r.tail + "; the ring is corrupt");
                    MemorySegment rec;
                    if (off + size <= r.size) {
                        rec = r.data.asSlice(off, size);
                    } else {
                        // Wrapped: perf maps the data once, so join the two pieces.
                        long first = r.size - off;
                        MemorySegment.copy(r.data, off, scratch, 0, first);
                        MemorySegment.copy(r.data, 0, scratch, first, size - first);
                        rec = scratch.asSlice(0, size);
                    }
                    try {
                        switch (type) {
                            case PERF_RECORD_SAMPLE -> {
                                int raw = rec.get(JAVA_INT, 8);
                                if (raw < 0 || 12L + raw > size)
                                    throw new BpfException("perf buffer " + name + ", CPU " + r.cpu + ": sample of "
                                            + raw + " bytes in a " + size + "-byte record; the ring is corrupt");
                                n++;
                                gotSamples++;
                                handler.onSample(r.cpu, rec.asSlice(12, raw));
                            }
                            case PERF_RECORD_LOST -> {
                                long count = rec.get(JAVA_LONG, 16);
                                n++;
                                gotLost += count;
                                lostPerCpu.addAndGet(r.cpu, count);
                                handler.onLost(r.cpu, count);
                            }
                            default -> gotOther++; // throttling and the like: nothing to deliver
                        }
                    } finally {
                        r.tail += size;
                        LONG.setRelease(r.meta, DATA_TAIL, r.tail);
                    }
                }
            }
            return n;
        } finally {
            if (gotSamples != 0) samples += gotSamples;
            if (gotLost != 0) lost += gotLost;
            if (gotOther != 0) other += gotOther;
        }
    }

    /** Samples delivered so far. */
    public long samples() {
        return samples;
    }

    /** Samples the kernel dropped on all CPUs, as reported so far by PERF_RECORD_LOST. */
    public long lost() {
        return lost;
    }

    /** Samples the kernel dropped on {@code cpu}, as reported so far. */
    public long lost(int cpu) {
        return cpu >= 0 && cpu < lostPerCpu.length() ? lostPerCpu.get(cpu) : 0;
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("perf buffer reader " + name + " is closed");
    }

    private void unlock() {
        if (lock.getHoldCount() == 1 && closed && !released) release();
        lock.unlock();
    }

    /**
     * Wakes a blocked poll, waits for it to finish, clears the map slots, unmaps the rings and
     * closes every fd. Idempotent; callable from any thread and from a handler (then the release
     * happens when the poll returns).
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
            clearSlots(mapFd, List.of(rings));
        } finally {
            try {
                arena.close();
            } finally {
                for (Ring r : rings) r.fd.close();
                epoll.close();
                mapFd.close();
            }
        }
    }

    @Override
    public String toString() {
        return "PerfReader[" + name + " " + rings.length + " CPUs" + (closed ? " closed" : "") + "]";
    }
}
