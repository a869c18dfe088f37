package io.bpf4j.tools.trace;

import java.util.Arrays;

/**
 * A map from primitive {@code long} keys to objects, open addressing with linear probing: the
 * trace consumer's caches and session table look up by address, value or thread id per record,
 * and a {@code HashMap<Long, V>} would box every key on the hot path.
 */
final class LongMap<V> {
    private long[] keys;
    private Object[] values;
    private int size, mask;

    LongMap(int capacity) {
        int n = Integer.highestOneBit(Math.max(4, capacity - 1)) << 1;
        keys = new long[n];
        values = new Object[n];
        mask = n - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32);
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int i = hash(key) & mask; ; i = i + 1 & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    /** Puts a non-null value; returns the previous one or null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        if (2 * (size + 1) > keys.length) grow();
        for (int i = hash(key) & mask; ; i = i + 1 & mask) {
            Object v = values[i];
            if (v == null) {
                keys[i] = key;
                values[i] = value;
                size++;
                return null;
            }
            if (keys[i] == key) {
                values[i] = value;
                return (V) v;
            }
        }
    }

    /** Removes {@code key}; returns its value or null. Later entries of the probe run move back (no tombstones). */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = hash(key) & mask;
        while (true) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) break;
            i = i + 1 & mask;
        }
        V old = (V) values[i];
        values[i] = null;
        size--;
        for (int j = i + 1 & mask; values[j] != null; j = j + 1 & mask) {
            int home = hash(keys[j]) & mask;
            // Move j's entry into the hole at i unless its home lies cyclically in (i, j].
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
                keys[i] = keys[j];
                values[i] = values[j];
                values[j] = null;
                i = j;
            }
        }
        return old;
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    /** Calls {@code action} for each entry (the map must not change meanwhile). */
    @SuppressWarnings("unchecked")
    void forEach(java.util.function.BiConsumer<Long, V> action) {
        for (int i = 0; i < keys.length; i++) if (values[i] != null) action.accept(keys[i], (V) values[i]);
    }

    private void grow() {
        long[] ok = keys;
        Object[] ov = values;
        keys = new long[ok.length * 2];
        values = new Object[ov.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ov[i] != null) put(ok[i], (V) ov[i]);
    }
}
