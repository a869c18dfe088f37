package io.bpf4j;

/** Map types (enum bpf_map_type), numbered as the kernel numbers them. */
public enum MapType {
    UNSPEC, HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, PERCPU_HASH,
    PERCPU_ARRAY, STACK_TRACE, CGROUP_ARRAY, LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE,
    ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, SOCKMAP, CPUMAP, XSKMAP,
    SOCKHASH, CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE, QUEUE, STACK,
    SK_STORAGE, DEVMAP_HASH, STRUCT_OPS, RINGBUF, INODE_STORAGE, TASK_STORAGE,
    BLOOM_FILTER, USER_RINGBUF, CGRP_STORAGE, ARENA;

    private static final MapType[] VALUES = values();

    /** The kernel's number. */
    public int value() {
        return ordinal();
    }

    /** The kernel's name, e.g. {@code BPF_MAP_TYPE_PROG_ARRAY}. */
    public String kernelName() {
        return KERNEL_NAMES[ordinal()];
    }

    /** Built once: inspect names thousands of objects, and each concatenation costs a cold JVM. */
    private static final String[] KERNEL_NAMES = new String[VALUES.length];
    static {
        for (int i = 0; i < VALUES.length; i++) KERNEL_NAMES[i] = "BPF_MAP_TYPE_" + VALUES[i].name();
    }

    /** The constant for a kernel number, or {@code null} if this bpf4j does not know it. */
    public static MapType of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }

    /** The kernel name for a number, {@code BPF_MAP_TYPE_<n>} when unknown (a newer kernel). */
    public static String nameOf(int value) {
        MapType t = of(value);
        return t != null ? t.kernelName() : "BPF_MAP_TYPE_" + value;
    }

    /** Parses {@code kprobe}, {@code KPROBE} or the full kernel name. */
    public static MapType parse(String s) {
        String n = s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("BPF_MAP_TYPE_")) n = n.substring(13);
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new BpfException("unknown map type: " + s);
        }
    }
}
