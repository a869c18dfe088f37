package io.bpf4j;

import io.bpf4j.sys.Layouts;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** What {@code BPF_OBJ_GET_INFO_BY_FD} says about a map (struct bpf_map_info). */
public record MapInfo(
        int typeValue, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
        int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {

    /** The type, or null for a map type newer than this bpf4j. */
    public MapType type() {
        return MapType.of(typeValue);
    }

    /** {@code BPF_MAP_TYPE_PROG_ARRAY} style name, also for unknown types. */
    public String typeName() {
        return MapType.nameOf(typeValue);
    }

    static MapInfo parse(MemorySegment s) {
        return new MapInfo(
                s.get(JAVA_INT, Layouts.MapInfo.TYPE), s.get(JAVA_INT, Layouts.MapInfo.ID),
                s.get(JAVA_INT, Layouts.MapInfo.KEY_SIZE), s.get(JAVA_INT, Layouts.MapInfo.VALUE_SIZE),
                s.get(JAVA_INT, Layouts.MapInfo.MAX_ENTRIES), s.get(JAVA_INT, Layouts.MapInfo.MAP_FLAGS),
                Names.read(s, Layouts.MapInfo.NAME, 16), s.get(JAVA_INT, Layouts.MapInfo.IFINDEX),
                s.get(JAVA_INT, Layouts.MapInfo.BTF_ID), s.get(JAVA_INT, Layouts.MapInfo.BTF_KEY_TYPE_ID),
                s.get(JAVA_INT, Layouts.MapInfo.BTF_VALUE_TYPE_ID), s.get(JAVA_LONG, Layouts.MapInfo.MAP_EXTRA));
    }
}
