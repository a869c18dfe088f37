package io.bpf4j;

import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;

import static io.bpf4j.internal.bytes.LittleEndian.i32;
import static io.bpf4j.internal.bytes.LittleEndian.u64;

/**
 * What {@code BPF_OBJ_GET_INFO_BY_FD} says about a program (struct bpf_prog_info), with its
 * arrays read in a second pass. Addresses are 0 where kptr_restrict hides them; fields newer
 * than the running kernel read as 0.
 *
 * @param loadTime       nanoseconds since boot (CLOCK_BOOTTIME) at load
 * @param jitedKsyms     address of each function (main program first, then subprograms)
 * @param funcInfo       BTF func_info records: instruction offset and BTF type id per function
 * @param progTags       the tag of each function, as 16 hex digits
 */
public record ProgInfo(
        int typeValue, int id, String tag, int jitedLen, int xlatedLen, long loadTime, int createdByUid,
        int[] mapIds, String name, boolean gplCompatible, long[] jitedKsyms, int[] jitedFuncLens,
        int btfId, List<FuncInfo> funcInfo, List<String> progTags, long runTimeNs, long runCnt,
        long recursionMisses, int verifiedInsns, int attachBtfObjId, int attachBtfId) {

    public ProgType type() {
        return ProgType.of(typeValue);
    }

    public String typeName() {
        return ProgType.nameOf(typeValue);
    }

    public boolean jited() {
        return jitedLen > 0;
    }

    static String hex(MemorySegment s, long off, int len) {
        byte[] b = s.asSlice(off, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return HexFormat.of().formatHex(b);
    }

    static ProgInfo parse(MemorySegment s, int[] mapIds, long[] ksyms, int[] funcLens, List<FuncInfo> funcs,
                          List<String> tags) {
        return parse(s.asSlice(0, Layouts.ProgInfo.LAYOUT.byteSize()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                mapIds, ksyms, funcLens, funcs, tags);
    }

    /** From a heap copy of struct bpf_prog_info (see InfoBuffer for why a copy). */
    static ProgInfo parse(byte[] s, int[] mapIds, long[] ksyms, int[] funcLens, List<FuncInfo> funcs, List<String> tags) {
        return new ProgInfo(
                i32(s, Layouts.ProgInfo.TYPE), i32(s, Layouts.ProgInfo.ID),
                InfoBuffer.hex(s, Layouts.ProgInfo.TAG, 8), i32(s, Layouts.ProgInfo.JITED_PROG_LEN),
                i32(s, Layouts.ProgInfo.XLATED_PROG_LEN), u64(s, Layouts.ProgInfo.LOAD_TIME),
                i32(s, Layouts.ProgInfo.CREATED_BY_UID), mapIds, Names.read(s, Layouts.ProgInfo.NAME, 16),
                (i32(s, Layouts.ProgInfo.GPL_COMPATIBLE) & 1) != 0, ksyms, funcLens,
                i32(s, Layouts.ProgInfo.BTF_ID), funcs, tags,
                u64(s, Layouts.ProgInfo.RUN_TIME_NS), u64(s, Layouts.ProgInfo.RUN_CNT),
                u64(s, Layouts.ProgInfo.RECURSION_MISSES), i32(s, Layouts.ProgInfo.VERIFIED_INSNS),
                i32(s, Layouts.ProgInfo.ATTACH_BTF_OBJ_ID), i32(s, Layouts.ProgInfo.ATTACH_BTF_ID));
    }
}
