package io.bpf4j;

/**
 * What a map should be, before it exists: the kernel's {@code BPF_MAP_CREATE} parameters.
 * Create it with {@link BpfMap#create(MapSpec)}.
 *
 * @param innerMap template for ARRAY_OF_MAPS / HASH_OF_MAPS, or null
 * @param btf      BTF object holding the key/value types, or null
 */
public record MapSpec(
        MapType type,
        String name,
        int keySize,
        int valueSize,
        int maxEntries,
        int flags,
        BpfMap innerMap,
        BtfHandle btf,
        int btfKeyTypeId,
        int btfValueTypeId,
        long mapExtra) {

    public MapSpec {
        if (type == null) throw new BpfException("map spec: type is required");
        if (name == null) name = "";
    }

    public static MapSpec of(MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type, "", keySize, valueSize, maxEntries, 0, null, null, 0, 0, 0);
    }

    public MapSpec withName(String n) {
        return new MapSpec(type, n, keySize, valueSize, maxEntries, flags, innerMap, btf, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    public MapSpec withFlags(int f) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, f, innerMap, btf, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    public MapSpec withInnerMap(BpfMap inner) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, inner, btf, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    public MapSpec withBtf(BtfHandle b, int keyTypeId, int valueTypeId) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, innerMap, b, keyTypeId, valueTypeId, mapExtra);
    }

    public MapSpec withMapExtra(long extra) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, innerMap, btf, btfKeyTypeId, btfValueTypeId, extra);
    }

    /** Map flags (BPF_F_*). */
    public static final int F_NO_PREALLOC = 1, F_NO_COMMON_LRU = 2, F_NUMA_NODE = 4, F_RDONLY = 8,
            F_WRONLY = 16, F_STACK_BUILD_ID = 32, F_ZERO_SEED = 64, F_RDONLY_PROG = 128,
            F_WRONLY_PROG = 256, F_CLONE = 512, F_MMAPABLE = 1024, F_PRESERVE_ELEMS = 2048,
            F_INNER_MAP = 4096;
}
