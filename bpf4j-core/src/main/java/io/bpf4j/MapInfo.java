package io.bpf4j;

import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;

import static io.bpf4j.internal.bytes.LittleEndian.i32;
import static io.bpf4j.internal.bytes.LittleEndian.u64;

/**
 * What {@code BPF_OBJ_GET_INFO_BY_FD} says about a map (struct bpf_map_info).
 *
 * @param btfVmlinuxValueTypeId for a struct_ops map, the value's type in the kernel's BTF (5.6+)
 */
public record MapInfo(
        int typeValue, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
        int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra, int btfVmlinuxValueTypeId) {

    /** The type, or null for a map type newer than this bpf4j. */
    public MapType type() {
        return MapType.of(typeValue);
    }

    /** {@code BPF_MAP_TYPE_PROG_ARRAY} style name, also for unknown types. */
    public String typeName() {
        return MapType.nameOf(typeValue);
    }

    static MapInfo parse(MemorySegment s) {
        return parse(s.asSlice(0, Layouts.MapInfo.LAYOUT.byteSize()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    /** From a heap copy of struct bpf_map_info (see InfoBuffer for why a copy). */
    static MapInfo parse(byte[] s) {
        return new MapInfo(
                i32(s, Layouts.MapInfo.TYPE), i32(s, Layouts.MapInfo.ID),
                i32(s, Layouts.MapInfo.KEY_SIZE), i32(s, Layouts.MapInfo.VALUE_SIZE),
                i32(s, Layouts.MapInfo.MAX_ENTRIES), i32(s, Layouts.MapInfo.MAP_FLAGS),
                Names.read(s, Layouts.MapInfo.NAME, 16), i32(s, Layouts.MapInfo.IFINDEX),
                i32(s, Layouts.MapInfo.BTF_ID), i32(s, Layouts.MapInfo.BTF_KEY_TYPE_ID),
                i32(s, Layouts.MapInfo.BTF_VALUE_TYPE_ID), u64(s, Layouts.MapInfo.MAP_EXTRA),
                i32(s, Layouts.MapInfo.BTF_VMLINUX_VALUE_TYPE_ID));
    }
}
