package io.bpf4j.loader;

import io.bpf4j.BpfException;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A map an object declares: a BTF-defined map of {@code .maps}, or the array map that holds one
 * global data section ({@code .data}, {@code .rodata}, {@code .bss}, {@code .data.*},
 * {@code .rodata.*}). Settings may be changed from Java before the object is loaded.
 */
public final class MapDef {
    /** Where the map comes from. */
    public enum Kind {
        /** BTF-defined, in {@code .maps}. */
        BTF,
        /** Writable global data: {@code .data}, {@code .data.*}. */
        DATA,
        /** Constant global data: {@code .rodata}, {@code .rodata.*}; frozen after load, read-only to programs. */
        RODATA,
        /** Zero-initialised global data: {@code .bss}. */
        BSS,
        /** The template of a map-in-map's inner maps. */
        INNER
    }

    /** libbpf's {@code enum libbpf_pin_type}. */
    public enum Pinning { NONE, BY_NAME }

    private final String name;
    private final Kind kind;
    MapType type;
    int keySize, valueSize, maxEntries, flags, numaNode;
    long mapExtra;
    Pinning pinning = Pinning.NONE;
    int btfKeyTypeId, btfValueTypeId;
    MapDef inner;
    byte[] data;
    /** Initial slots of a prog array (program names) or map-in-map (map names). */
    final Map<Integer, String> initialValues = new TreeMap<>();

    MapDef(String name, Kind kind) {
        this.name = name;
        this.kind = kind;
    }

    MapDef copy() {
        MapDef m = new MapDef(name, kind);
        m.type = type;
        m.keySize = keySize;
        m.valueSize = valueSize;
        m.maxEntries = maxEntries;
        m.flags = flags;
        m.numaNode = numaNode;
        m.mapExtra = mapExtra;
        m.pinning = pinning;
        m.btfKeyTypeId = btfKeyTypeId;
        m.btfValueTypeId = btfValueTypeId;
        m.inner = inner == null ? null : inner.copy();
        m.data = data == null ? null : data.clone();
        m.initialValues.putAll(initialValues);
        return m;
    }

    /** The map's name in the object: the variable name, or the section name for global data. */
    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public MapType type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int flags() {
        return flags;
    }

    public Pinning pinning() {
        return pinning;
    }

    public long mapExtra() {
        return mapExtra;
    }

    /** Key and value type ids in the object's BTF, 0 when the map declares sizes only. */
    public int btfKeyTypeId() {
        return btfKeyTypeId;
    }

    public int btfValueTypeId() {
        return btfValueTypeId;
    }

    /** For ARRAY_OF_MAPS and HASH_OF_MAPS: the inner map template ({@code __array(values, ...)}). */
    public MapDef inner() {
        return inner;
    }

    /** Initial contents of a global data map (a copy), or null for other maps. */
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** Initial slots: program names for a prog array, map names for a map-in-map. */
    public Map<Integer, String> initialValues() {
        return Collections.unmodifiableMap(initialValues);
    }

    public MapDef maxEntries(int n) {
        this.maxEntries = n;
        return this;
    }

    public MapDef flags(int f) {
        this.flags = f;
        return this;
    }

    public MapDef pinning(Pinning p) {
        this.pinning = p;
        return this;
    }

    /** Writes bytes into a global data map's initial contents (e.g. a {@code const volatile} setting). */
    public MapDef write(int offset, byte[] bytes) {
        if (data == null) throw new BpfException("map " + name + " is not a global data map");
        if (offset < 0 || offset > data.length - bytes.length)
            throw new BpfException("map " + name + ": write of " + bytes.length + " bytes at " + offset + " outside its " + data.length + " bytes");
        System.arraycopy(bytes, 0, data, offset, bytes.length);
        return this;
    }

    /** The kernel's map spec, without BTF and inner map (the loader adds those). */
    MapSpec toSpec(String kernelName) {
        return new MapSpec(type, kernelName, keySize, valueSize, maxEntries, flags, null, null, 0, 0, mapExtra);
    }

    @Override
    public String toString() {
        return "MapDef[" + name + " " + (type == null ? "?" : type.kernelName()) + " key " + keySize + " value " + valueSize
                + " max " + maxEntries + " flags 0x" + Integer.toHexString(flags)
                + (inner != null ? " inner " + inner : "") + (initialValues.isEmpty() ? "" : " init " + initialValues)
                + (data != null ? " data " + Arrays.toString(Arrays.copyOf(data, Math.min(8, data.length))) : "") + "]";
    }
}
