package io.bpf4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A typed view of an ARRAY (or PERCPU_ARRAY) map: u32 index keys. Reuses its native buffers, so
 * a view is for one thread at a time; it does not own the map.
 */
public final class ArrayMapView {
    private final BpfMap map;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment key, value;

    public ArrayMapView(BpfMap map) {
        MapType t = map.type();
        if (t != MapType.ARRAY && t != MapType.PERCPU_ARRAY)
            throw new BpfException("array view: " + map + " is not an array map");
        this.map = map;
        this.key = arena.allocate(4, 4);
        this.value = arena.allocate(Math.max(8, map.valueBufferSize()), 8);
    }

    public int length() {
        return map.maxEntries();
    }

    private MemorySegment read(int index) {
        if (index < 0 || index >= map.maxEntries())
            throw new IndexOutOfBoundsException("index " + index + " of " + map.maxEntries());
        key.set(JAVA_INT, 0, index);
        map.lookup(key, value);
        return value;
    }

    /** The value at index (per-CPU maps: one value per possible CPU, 8-byte aligned). */
    public byte[] get(int index) {
        return read(index).asSlice(0, map.valueBufferSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    public int getInt(int index) {
        return read(index).get(JAVA_INT, 0);
    }

    public long getLong(int index) {
        return read(index).get(JAVA_LONG, 0);
    }

    /** Sum of a per-CPU u64 counter over all CPUs (or the value of a plain array). */
    public long sumLong(int index) {
        MemorySegment v = read(index);
        if (!map.isPerCpu()) return v.get(JAVA_LONG, 0);
        long stride = (map.valueSize() + 7) & ~7L, sum = 0;
        for (long off = 0; off < map.valueBufferSize(); off += stride) sum += v.get(JAVA_LONG, off);
        return sum;
    }

    public void set(int index, byte[] v) {
        map.update(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(index).array(), v, BpfMap.ANY);
    }

    public void setInt(int index, int v) {
        key.set(JAVA_INT, 0, index);
        value.set(JAVA_INT, 0, v);
        map.update(key, value, BpfMap.ANY);
    }

    public void setLong(int index, long v) {
        key.set(JAVA_INT, 0, index);
        value.set(JAVA_LONG, 0, v);
        map.update(key, value, BpfMap.ANY);
    }
}
