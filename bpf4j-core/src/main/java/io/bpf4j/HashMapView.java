package io.bpf4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A typed view of a hash-like map (HASH, LRU_HASH, their per-CPU variants) with codecs
 * between Java values and the kernel's bytes. It does not own the map.
 */
public final class HashMapView<K, V> {
    /** Converts between a Java value and its fixed-size little-endian bytes. */
    public record Codec<T>(Function<T, byte[]> encode, Function<byte[], T> decode) {
        public static final Codec<Integer> U32 = new Codec<>(
                v -> java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array(),
                b -> java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        public static final Codec<Long> U64 = new Codec<>(
                v -> java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array(),
                b -> java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        public static final Codec<byte[]> BYTES = new Codec<>(b -> b, b -> b);
    }

    private final BpfMap map;
    private final Codec<K> keys;
    private final Codec<V> values;

    public HashMapView(BpfMap map, Codec<K> keys, Codec<V> values) {
        MapType t = map.type();
        if (t != MapType.HASH && t != MapType.LRU_HASH && t != MapType.PERCPU_HASH && t != MapType.LRU_PERCPU_HASH)
            throw new BpfException("hash view: " + map + " is not a hash map");
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    public Optional<V> get(K key) {
        return map.lookup(keys.encode().apply(key)).map(values.decode());
    }

    public void put(K key, V value) {
        map.update(keys.encode().apply(key), values.encode().apply(value), BpfMap.ANY);
    }

    /** Inserts only if absent; false if the key exists. */
    public boolean putIfAbsent(K key, V value) {
        try {
            map.update(keys.encode().apply(key), values.encode().apply(value), BpfMap.NOEXIST);
            return true;
        } catch (BpfException e) {
            if (e.errno() == io.bpf4j.internal.sys.Errno.EEXIST) return false;
            throw e;
        }
    }

    public boolean remove(K key) {
        return map.delete(keys.encode().apply(key));
    }

    /** A snapshot of all entries, in the kernel's iteration order. */
    public Map<K, V> entries() {
        Map<K, V> out = new LinkedHashMap<>();
        for (byte[] k : map.keys()) map.lookup(k).ifPresent(v -> out.put(keys.decode().apply(k), values.decode().apply(v)));
        return out;
    }
}
