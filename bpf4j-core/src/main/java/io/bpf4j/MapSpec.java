package io.bpf4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a map should be, before it exists: the kernel's {@code BPF_MAP_CREATE} parameters, plus
 * what an object file says about the map ({@link io.bpf4j.loader.ObjectSpec}): pinning, the
 * initial contents of a global data section, the initial slots of a prog array or map-in-map.
 * Create one map with {@link BpfMap#create(MapSpec)}; an object's maps are created by
 * {@link io.bpf4j.loader.BpfObject#load}. Immutable: the {@code with...} methods return changed
 * copies.
 *
 * @param name           the name in the object (a {@code .maps} variable, or a data section such
 *                       as {@code .rodata}); the kernel keeps its first 15 characters
 * @param numaNode       the NUMA node to allocate on; the kernel reads it only with
 *                       {@link #F_NUMA_NODE} in {@code flags}
 * @param mapExtra       {@code map_extra}: a bloom filter's hash count, an arena's address (5.16)
 * @param innerMap       for ARRAY_OF_MAPS and HASH_OF_MAPS: the inner maps' template, or null.
 *                       {@link BpfMap#create} creates a map of it for the kernel to compare
 *                       inner maps with, and closes it again
 * @param btf            the BTF holding the key and value types, or null; an object's maps get
 *                       the object's BTF at load
 * @param btfKeyTypeId   the key's type in {@code btf} (0: none)
 * @param btfValueTypeId the value's type in {@code btf} (0: none)
 * @param pinning        whether {@code BpfObject.load} shares the map through bpffs by name
 * @param kind           an ordinary map, or the map holding a global data section
 * @param contents       a global data map's initial value (element 0), read-only; null for
 *                       other maps
 * @param initialSlots   a prog array's or map-in-map's initial slots, by the name of the program
 *                       or map an object puts there; filled by {@code BpfObject.load}
 */
public record MapSpec(
        MapType type,
        String name,
        int keySize,
        int valueSize,
        int maxEntries,
        int flags,
        int numaNode,
        long mapExtra,
        MapSpec innerMap,
        BtfHandle btf,
        int btfKeyTypeId,
        int btfValueTypeId,
        Pinning pinning,
        Kind kind,
        MemorySegment contents,
        Map<Integer, String> initialSlots) {

    /** libbpf's {@code enum libbpf_pin_type}, as {@code __uint(pinning, ...)} gives it. */
    public enum Pinning {
        /** Not pinned. */
        NONE,
        /** {@code LIBBPF_PIN_BY_NAME}: pinned at {@code <pin root>/<name>}, reused when already there. */
        BY_NAME
    }

    /** Where a map comes from. */
    public enum Kind {
        /** A map made in code, or declared in an object's {@code .maps} section. */
        MAP,
        /** Writable global data: {@code .data}, {@code .data.*}. */
        DATA,
        /** Constant global data: {@code .rodata}, {@code .rodata.*}; frozen after load, read-only to programs. */
        RODATA,
        /** Zero-initialised global data: {@code .bss}, {@code .bss.*}. */
        BSS;

        /** Whether the map holds a global data section (one element, the section's bytes). */
        public boolean globalData() {
            return this != MAP;
        }
    }

    public MapSpec {
        if (type == null) throw new BpfException("map spec: type is required");
        if (name == null) name = "";
        if (pinning == null) pinning = Pinning.NONE;
        if (kind == null) kind = Kind.MAP;
        if (contents != null && !contents.isReadOnly())
            contents = MemorySegment.ofArray(contents.toArray(ValueLayout.JAVA_BYTE)).asReadOnly();
        initialSlots = initialSlots == null || initialSlots.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(initialSlots));
    }

    /** A map with the given sizes and no flags, name or BTF. */
    public static MapSpec of(MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type, "", keySize, valueSize, maxEntries, 0, 0, 0, null, null, 0, 0, Pinning.NONE, Kind.MAP, null, Map.of());
    }

    /** The mutable copy behind the {@code with...} methods. */
    private static final class Builder {
        MapType type;
        String name;
        int keySize, valueSize, maxEntries, flags, numaNode, btfKeyTypeId, btfValueTypeId;
        long mapExtra;
        MapSpec innerMap;
        BtfHandle btf;
        Pinning pinning;
        Kind kind;
        MemorySegment contents;
        Map<Integer, String> initialSlots;

        Builder(MapSpec s) {
            type = s.type;
            name = s.name;
            keySize = s.keySize;
            valueSize = s.valueSize;
            maxEntries = s.maxEntries;
            flags = s.flags;
            numaNode = s.numaNode;
            mapExtra = s.mapExtra;
            innerMap = s.innerMap;
            btf = s.btf;
            btfKeyTypeId = s.btfKeyTypeId;
            btfValueTypeId = s.btfValueTypeId;
            pinning = s.pinning;
            kind = s.kind;
            contents = s.contents;
            initialSlots = s.initialSlots;
        }

        MapSpec build() {
            return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, numaNode, mapExtra, innerMap, btf,
                    btfKeyTypeId, btfValueTypeId, pinning, kind, contents, initialSlots);
        }
    }

    private MapSpec with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    public MapSpec withType(MapType t) {
        return with(b -> b.type = t);
    }

    public MapSpec withName(String n) {
        return with(b -> b.name = n);
    }

    public MapSpec withKeySize(int n) {
        return with(b -> b.keySize = n);
    }

    public MapSpec withValueSize(int n) {
        return with(b -> b.valueSize = n);
    }

    public MapSpec withMaxEntries(int n) {
        return with(b -> b.maxEntries = n);
    }

    public MapSpec withFlags(int f) {
        return with(b -> b.flags = f);
    }

    /** Allocates on NUMA node {@code node}: sets it and {@link #F_NUMA_NODE}. */
    public MapSpec withNumaNode(int node) {
        return with(b -> {
            b.numaNode = node;
            b.flags |= F_NUMA_NODE;
        });
    }

    public MapSpec withMapExtra(long extra) {
        return with(b -> b.mapExtra = extra);
    }

    /** The template of a map-in-map's inner maps. */
    public MapSpec withInnerMap(MapSpec inner) {
        return with(b -> b.innerMap = inner);
    }

    /** Key and value types in {@code btf} (ids 0 for none). */
    public MapSpec withBtf(BtfHandle handle, int keyTypeId, int valueTypeId) {
        return with(b -> {
            b.btf = handle;
            b.btfKeyTypeId = keyTypeId;
            b.btfValueTypeId = valueTypeId;
        });
    }

    public MapSpec withPinning(Pinning p) {
        return with(b -> b.pinning = p);
    }

    /**
     * A global data map's initial value, copied; {@code null} for none. Use
     * {@link io.bpf4j.loader.ObjectSpec#setVariable} to change one variable.
     */
    public MapSpec withContents(byte[] value) {
        return with(b -> b.contents = value == null ? null : MemorySegment.ofArray(value.clone()).asReadOnly());
    }

    /** A prog array's or map-in-map's initial slots, by program or map name. */
    public MapSpec withInitialSlots(Map<Integer, String> slots) {
        return with(b -> b.initialSlots = slots);
    }

    /** A copy of the global data map's initial value, or null for other maps. */
    public byte[] contentsBytes() {
        return contents == null ? null : contents.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public String toString() {
        return "MapSpec[" + name + " " + type.kernelName() + " key " + keySize + " value " + valueSize + " max " + maxEntries
                + " flags 0x" + Integer.toHexString(flags) + (numaNode != 0 ? " numa " + numaNode : "")
                + (mapExtra != 0 ? " extra " + mapExtra : "") + (innerMap != null ? " inner " + innerMap : "")
                + (pinning != Pinning.NONE ? " pinning " + pinning : "") + (kind != Kind.MAP ? " " + kind : "")
                + (initialSlots.isEmpty() ? "" : " slots " + initialSlots) + "]";
    }

    /** Map flags (BPF_F_*). */
    public static final int F_NO_PREALLOC = 1, F_NO_COMMON_LRU = 2, F_NUMA_NODE = 4, F_RDONLY = 8,
            F_WRONLY = 16, F_STACK_BUILD_ID = 32, F_ZERO_SEED = 64, F_RDONLY_PROG = 128,
            F_WRONLY_PROG = 256, F_CLONE = 512, F_MMAPABLE = 1024, F_PRESERVE_ELEMS = 2048,
            F_INNER_MAP = 4096;
}
