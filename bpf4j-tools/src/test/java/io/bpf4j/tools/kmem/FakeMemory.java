package io.bpf4j.tools.kmem;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Kernel memory made in a test: separate regions at kernel-looking addresses with unmapped gaps
 * between them, so a wild pointer faults as it would on kcore. Regions are written through typed
 * objects ({@link #set}), so images follow the layouts of whichever BTF the test uses.
 */
final class FakeMemory implements KernelMemory {
    final TreeMap<Long, byte[]> regions = new TreeMap<>(Long::compareUnsigned);
    private long next = 0xffff888000100000L;
    long reads;

    /** A new zeroed region of {@code size} bytes, 64-byte aligned, with an unmapped gap after it. */
    long alloc(long size) {
        long a = next;
        regions.put(a, new byte[(int) size]);
        next += (size + 4095 + 4096) & -4096L;
        return a;
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) {
        reads++;
        Map.Entry<Long, byte[]> e = regions.floorEntry(address);
        if (e == null || Long.compareUnsigned(address - e.getKey() + length, e.getValue().length) > 0
                || Long.compareUnsigned(address, e.getKey()) < 0) {
            throw new MemoryFault(address, length, "not mapped in the fake image");
        }
        System.arraycopy(e.getValue(), (int) (address - e.getKey()), dst, offset, length);
    }

    void write(long address, byte[] src) {
        Map.Entry<Long, byte[]> e = regions.floorEntry(address);
        if (e == null || address - e.getKey() + src.length > e.getValue().length) {
            throw new IllegalStateException(String.format("write at 0x%x outside the image", address));
        }
        System.arraycopy(src, 0, e.getValue(), (int) (address - e.getKey()), src.length);
    }

    void putLong(long address, long v, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (v >>> (8 * i));
        write(address, b);
    }

    /** Stores {@code v} into a scalar field (bitfields included) with the field's size. */
    void set(KObject field, long v) {
        if (field.isBitfield()) {
            throw new IllegalStateException("use setBits for " + field.expr());
        }
        putLong(field.address(), v, (int) field.size());
    }

    void setString(KObject field, String s) {
        byte[] b = new byte[(int) field.size()];
        byte[] t = s.getBytes();
        System.arraycopy(t, 0, b, 0, Math.min(t.length, b.length - 1));
        write(field.address(), b);
    }

    /** Flips {@code n} random bits somewhere in the image. */
    void flipBits(Random r, int n) {
        Long[] keys = regions.keySet().toArray(new Long[0]);
        for (int i = 0; i < n; i++) {
            byte[] b = regions.get(keys[r.nextInt(keys.length)]);
            if (b.length == 0) continue;
            int at = r.nextInt(b.length);
            b[at] ^= (byte) (1 << r.nextInt(8));
        }
    }

    /** A deep copy, for running many corruptions of one image. */
    FakeMemory copy() {
        FakeMemory m = new FakeMemory();
        m.regions.clear();
        for (Map.Entry<Long, byte[]> e : regions.entrySet()) m.regions.put(e.getKey(), e.getValue().clone());
        m.next = next;
        return m;
    }
}
