package io.bpf4j.ringbuf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.AtomicOp;
import io.bpf4j.asm.Reg;
import io.bpf4j.asm.Size;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A counter of records a BPF program failed to write into a ring buffer.
 *
 * <p>A ring buffer drops on the producer side: {@code bpf_ringbuf_reserve} returns NULL and
 * {@code bpf_ringbuf_output} returns {@code -EAGAIN} when the buffer is full, and the kernel
 * counts nothing. Only the program can know, so it must count: this is a one-element
 * {@code BPF_MAP_TYPE_ARRAY} holding a u64 that the program increments atomically on every
 * failure, and that {@link RingBufReader#stats()} reports. Programs built with {@link Asm} get
 * the increment from {@link #emitIncrement}; a C program does the same with
 *
 * <pre>{@code
 * struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
 *          __type(key, __u32); __type(value, __u64); } ringbuf_drops SEC(".maps");
 * ...
 * if (!e) { __u32 k = 0; __u64 *d = bpf_map_lookup_elem(&ringbuf_drops, &k);
 *           if (d) __sync_fetch_and_add(d, 1); return 0; }
 * }</pre>
 *
 * and hands the loaded map to {@link #of(BpfMap)}.
 */
public final class RingBufDrops implements AutoCloseable {
    private final BpfMap map;
    private final boolean owned;

    private RingBufDrops(BpfMap map, boolean owned) {
        this.map = map;
        this.owned = owned;
    }

    /** Creates the counter map (owned by the returned object). */
    public static RingBufDrops create(String name) {
        return new RingBufDrops(BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withName(name)), true);
    }

    /**
     * Uses an existing u64 array map (from a loaded object, say) as the counter; the caller keeps
     * owning it.
     *
     * @throws BpfException if it is not an array map with u32 keys and u64 values
     */
    public static RingBufDrops of(BpfMap map) {
        if (map.type() != MapType.ARRAY || map.keySize() != 4 || map.valueSize() != 8 || map.maxEntries() < 1)
            throw new BpfException("ring buffer drop counter: must be an ARRAY map with 4-byte keys and 8-byte values, not " + map);
        return new RingBufDrops(map, false);
    }

    public BpfMap map() {
        return map;
    }

    /** Records dropped so far (the value at key 0). */
    public long count() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(JAVA_INT);
            MemorySegment v = a.allocate(JAVA_LONG);
            if (!map.lookup(k, v)) return 0;
            return v.get(JAVA_LONG, 0);
        }
    }

    /**
     * Appends {@code *(u64 *)&counter += 1} (atomic; direct map-value access, Linux 5.5+). Uses
     * {@code tmp1} and {@code tmp2} as scratch; other registers are kept.
     */
    public Asm emitIncrement(Asm asm, Reg tmp1, Reg tmp2) {
        return asm.ldMapValue(tmp1, map.fd().raw(), 0)
                .mov64(tmp2, 1)
                .atomic(Size.DW, AtomicOp.ADD, tmp1, 0, tmp2);
    }

    @Override
    public void close() {
        if (owned) map.close();
    }
}
