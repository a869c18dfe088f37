package io.bpf4j.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Every {@code bpf_attr} variant and info struct bpf4j passes to the kernel, declared once as a
 * MemoryLayout (from include/uapi/linux/bpf.h). Offsets are derived from the layouts, never
 * written by hand elsewhere. Each layout is the newest variant we use: the kernel accepts a
 * larger attr as long as the bytes it does not know are zero, and copies only what it knows.
 */
public final class Layouts {
    private Layouts() {}

    /**
     * A named member's offset: the sizes of the members before it (padding members included).
     * Not {@code byteOffset(groupElement(field))}: resolving a layout path is several times
     * the work, and a cold `bpf4j inspect` resolves ~50 offsets before its first object.
     */
    static long off(StructLayout l, String field) {
        long off = 0;
        for (MemoryLayout m : l.memberLayouts()) {
            if (m.name().isPresent() && m.name().get().equals(field)) return off;
            off += m.byteSize();
        }
        throw new IllegalArgumentException("no member " + field + " in " + l);
    }

    private static MemoryLayout u32(String n) {
        return JAVA_INT.withName(n);
    }

    private static MemoryLayout u64(String n) {
        return JAVA_LONG.withName(n);
    }

    private static MemoryLayout pad(long n) {
        return paddingLayout(n);
    }

    private static MemoryLayout chars(String n, long len) {
        return sequenceLayout(len, JAVA_BYTE).withName(n);
    }

    /** BPF_MAP_CREATE. */
    public static final class MapCreate {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("map_type"), u32("key_size"), u32("value_size"), u32("max_entries"),
                u32("map_flags"), u32("inner_map_fd"), u32("numa_node"), chars("map_name", 16),
                u32("map_ifindex"), u32("btf_fd"), u32("btf_key_type_id"), u32("btf_value_type_id"),
                u32("btf_vmlinux_value_type_id"), u64("map_extra"));
        public static final long MAP_TYPE = off(LAYOUT, "map_type"), KEY_SIZE = off(LAYOUT, "key_size"),
                VALUE_SIZE = off(LAYOUT, "value_size"), MAX_ENTRIES = off(LAYOUT, "max_entries"),
                MAP_FLAGS = off(LAYOUT, "map_flags"), INNER_MAP_FD = off(LAYOUT, "inner_map_fd"),
                NUMA_NODE = off(LAYOUT, "numa_node"), MAP_NAME = off(LAYOUT, "map_name"),
                BTF_FD = off(LAYOUT, "btf_fd"), BTF_KEY_TYPE_ID = off(LAYOUT, "btf_key_type_id"),
                BTF_VALUE_TYPE_ID = off(LAYOUT, "btf_value_type_id"),
                BTF_VMLINUX_VALUE_TYPE_ID = off(LAYOUT, "btf_vmlinux_value_type_id"),
                MAP_EXTRA = off(LAYOUT, "map_extra");
    }

    /** BPF_MAP_LOOKUP_ELEM, UPDATE_ELEM, DELETE_ELEM, GET_NEXT_KEY, LOOKUP_AND_DELETE_ELEM. */
    public static final class MapElem {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("map_fd"), pad(4), u64("key"), u64("value"), u64("flags"));
        public static final long MAP_FD = off(LAYOUT, "map_fd"), KEY = off(LAYOUT, "key"),
                VALUE = off(LAYOUT, "value"), NEXT_KEY = VALUE, FLAGS = off(LAYOUT, "flags");
    }

    /** BPF_MAP_*_BATCH (5.6+). */
    public static final class MapBatch {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u64("in_batch"), u64("out_batch"), u64("keys"), u64("values"), u32("count"),
                u32("map_fd"), u64("elem_flags"), u64("flags"));
        public static final long IN_BATCH = off(LAYOUT, "in_batch"), OUT_BATCH = off(LAYOUT, "out_batch"),
                KEYS = off(LAYOUT, "keys"), VALUES = off(LAYOUT, "values"), COUNT = off(LAYOUT, "count"),
                MAP_FD = off(LAYOUT, "map_fd"), ELEM_FLAGS = off(LAYOUT, "elem_flags"), FLAGS = off(LAYOUT, "flags");
    }

    /** BPF_PROG_LOAD. {@code log_true_size} exists from 6.4 (47a71c1f9af0). */
    public static final class ProgLoad {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("prog_type"), u32("insn_cnt"), u64("insns"), u64("license"), u32("log_level"),
                u32("log_size"), u64("log_buf"), u32("kern_version"), u32("prog_flags"),
                chars("prog_name", 16), u32("prog_ifindex"), u32("expected_attach_type"),
                u32("prog_btf_fd"), u32("func_info_rec_size"), u64("func_info"), u32("func_info_cnt"),
                u32("line_info_rec_size"), u64("line_info"), u32("line_info_cnt"), u32("attach_btf_id"),
                u32("attach_prog_fd"), u32("core_relo_cnt"), u64("fd_array"), u64("core_relos"),
                u32("core_relo_rec_size"), u32("log_true_size"));
        public static final long PROG_TYPE = off(LAYOUT, "prog_type"), INSN_CNT = off(LAYOUT, "insn_cnt"),
                INSNS = off(LAYOUT, "insns"), LICENSE = off(LAYOUT, "license"), LOG_LEVEL = off(LAYOUT, "log_level"),
                LOG_SIZE = off(LAYOUT, "log_size"), LOG_BUF = off(LAYOUT, "log_buf"),
                KERN_VERSION = off(LAYOUT, "kern_version"), PROG_FLAGS = off(LAYOUT, "prog_flags"),
                PROG_NAME = off(LAYOUT, "prog_name"), PROG_IFINDEX = off(LAYOUT, "prog_ifindex"),
                EXPECTED_ATTACH_TYPE = off(LAYOUT, "expected_attach_type"), PROG_BTF_FD = off(LAYOUT, "prog_btf_fd"),
                FUNC_INFO_REC_SIZE = off(LAYOUT, "func_info_rec_size"), FUNC_INFO = off(LAYOUT, "func_info"),
                FUNC_INFO_CNT = off(LAYOUT, "func_info_cnt"), LINE_INFO_REC_SIZE = off(LAYOUT, "line_info_rec_size"),
                LINE_INFO = off(LAYOUT, "line_info"), LINE_INFO_CNT = off(LAYOUT, "line_info_cnt"),
                ATTACH_BTF_ID = off(LAYOUT, "attach_btf_id"), ATTACH_PROG_FD = off(LAYOUT, "attach_prog_fd"),
                ATTACH_BTF_OBJ_FD = ATTACH_PROG_FD, FD_ARRAY = off(LAYOUT, "fd_array"),
                LOG_TRUE_SIZE = off(LAYOUT, "log_true_size");
        /** The attr size kernels before 6.4 know, used when we do not need log_true_size. */
        public static final int SIZE_WITHOUT_TRUE_SIZE = (int) LOG_TRUE_SIZE;
    }

    /** BPF_OBJ_PIN and BPF_OBJ_GET. */
    public static final class Obj {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u64("pathname"), u32("bpf_fd"), u32("file_flags"));
        public static final long PATHNAME = off(LAYOUT, "pathname"), BPF_FD = off(LAYOUT, "bpf_fd"),
                FILE_FLAGS = off(LAYOUT, "file_flags");
    }

    /** *_GET_NEXT_ID and *_GET_FD_BY_ID. */
    public static final class GetId {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("id"), u32("next_id"), u32("open_flags"));
        public static final long ID = off(LAYOUT, "id"), NEXT_ID = off(LAYOUT, "next_id"),
                OPEN_FLAGS = off(LAYOUT, "open_flags");
    }

    /** BPF_OBJ_GET_INFO_BY_FD. */
    public static final class Info {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("bpf_fd"), u32("info_len"), u64("info"));
        public static final long BPF_FD = off(LAYOUT, "bpf_fd"), INFO_LEN = off(LAYOUT, "info_len"),
                INFO = off(LAYOUT, "info");
    }

    /** BPF_PROG_TEST_RUN. */
    public static final class TestRun {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("prog_fd"), u32("retval"), u32("data_size_in"), u32("data_size_out"), u64("data_in"),
                u64("data_out"), u32("repeat"), u32("duration"), u32("ctx_size_in"), u32("ctx_size_out"),
                u64("ctx_in"), u64("ctx_out"), u32("flags"), u32("cpu"), u32("batch_size"), pad(4));
        public static final long PROG_FD = off(LAYOUT, "prog_fd"), RETVAL = off(LAYOUT, "retval"),
                DATA_SIZE_IN = off(LAYOUT, "data_size_in"), DATA_SIZE_OUT = off(LAYOUT, "data_size_out"),
                DATA_IN = off(LAYOUT, "data_in"), DATA_OUT = off(LAYOUT, "data_out"), REPEAT = off(LAYOUT, "repeat"),
                DURATION = off(LAYOUT, "duration"), CTX_SIZE_IN = off(LAYOUT, "ctx_size_in"),
                CTX_SIZE_OUT = off(LAYOUT, "ctx_size_out"), CTX_IN = off(LAYOUT, "ctx_in"),
                CTX_OUT = off(LAYOUT, "ctx_out"), FLAGS = off(LAYOUT, "flags"), CPU = off(LAYOUT, "cpu");
    }

    /** BPF_BTF_LOAD. */
    public static final class BtfLoad {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u64("btf"), u64("btf_log_buf"), u32("btf_size"), u32("btf_log_size"), u32("btf_log_level"),
                u32("btf_log_true_size"));
        public static final long BTF = off(LAYOUT, "btf"), LOG_BUF = off(LAYOUT, "btf_log_buf"),
                SIZE = off(LAYOUT, "btf_size"), LOG_SIZE = off(LAYOUT, "btf_log_size"),
                LOG_LEVEL = off(LAYOUT, "btf_log_level"), LOG_TRUE_SIZE = off(LAYOUT, "btf_log_true_size");
    }

    /** BPF_LINK_CREATE, with the target-specific union at offset 16. */
    public static final class LinkCreate {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("prog_fd"), u32("target_fd"), u32("attach_type"), u32("flags"),
                u32("u_a"), u32("u_b"), u64("u_c"), u64("u_d"), u64("u_e"));
        public static final long PROG_FD = off(LAYOUT, "prog_fd"), TARGET_FD = off(LAYOUT, "target_fd"),
                TARGET_IFINDEX = TARGET_FD, ATTACH_TYPE = off(LAYOUT, "attach_type"), FLAGS = off(LAYOUT, "flags"),
                TARGET_BTF_ID = off(LAYOUT, "u_a"),
                ITER_INFO = off(LAYOUT, "u_a"), ITER_INFO_LEN = off(LAYOUT, "u_c"),
                PERF_BPF_COOKIE = off(LAYOUT, "u_a"),
                KPROBE_MULTI_FLAGS = off(LAYOUT, "u_a"), KPROBE_MULTI_CNT = off(LAYOUT, "u_b"),
                KPROBE_MULTI_SYMS = off(LAYOUT, "u_c"), KPROBE_MULTI_ADDRS = off(LAYOUT, "u_d"),
                KPROBE_MULTI_COOKIES = off(LAYOUT, "u_e"),
                TRACING_COOKIE = off(LAYOUT, "u_c");
    }

    /** BPF_RAW_TRACEPOINT_OPEN. */
    public static final class RawTracepoint {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(u64("name"), u32("prog_fd"), pad(4));
        public static final long NAME = off(LAYOUT, "name"), PROG_FD = off(LAYOUT, "prog_fd");
    }

    /** BPF_TASK_FD_QUERY (4.18+): what a perf event or raw tracepoint fd of a task runs and where. */
    public static final class TaskFdQuery {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("pid"), u32("fd"), u32("flags"), u32("buf_len"), u64("buf"), u32("prog_id"), u32("fd_type"),
                u64("probe_offset"), u64("probe_addr"));
        public static final long PID = off(LAYOUT, "pid"), FD = off(LAYOUT, "fd"), BUF_LEN = off(LAYOUT, "buf_len"),
                BUF = off(LAYOUT, "buf"), PROG_ID = off(LAYOUT, "prog_id"), FD_TYPE = off(LAYOUT, "fd_type"),
                PROBE_OFFSET = off(LAYOUT, "probe_offset"), PROBE_ADDR = off(LAYOUT, "probe_addr");
    }

    /** BPF_ITER_CREATE, BPF_LINK_DETACH, BPF_MAP_FREEZE, BPF_ENABLE_STATS: one leading u32. */
    public static final class OneFd {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(u32("fd"), u32("flags"));
        public static final long FD = off(LAYOUT, "fd"), FLAGS = off(LAYOUT, "flags");
    }

    /** struct bpf_prog_info. Fields from recursion_misses on are absent before 5.12. */
    public static final class ProgInfo {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("type"), u32("id"), chars("tag", 8), u32("jited_prog_len"), u32("xlated_prog_len"),
                u64("jited_prog_insns"), u64("xlated_prog_insns"), u64("load_time"), u32("created_by_uid"),
                u32("nr_map_ids"), u64("map_ids"), chars("name", 16), u32("ifindex"), u32("gpl_compatible"),
                u64("netns_dev"), u64("netns_ino"), u32("nr_jited_ksyms"), u32("nr_jited_func_lens"),
                u64("jited_ksyms"), u64("jited_func_lens"), u32("btf_id"), u32("func_info_rec_size"),
                u64("func_info"), u32("nr_func_info"), u32("nr_line_info"), u64("line_info"),
                u64("jited_line_info"), u32("nr_jited_line_info"), u32("line_info_rec_size"),
                u32("jited_line_info_rec_size"), u32("nr_prog_tags"), u64("prog_tags"), u64("run_time_ns"),
                u64("run_cnt"), u64("recursion_misses"), u32("verified_insns"), u32("attach_btf_obj_id"),
                u32("attach_btf_id"), pad(4));
        public static final long TYPE = off(LAYOUT, "type"), ID = off(LAYOUT, "id"), TAG = off(LAYOUT, "tag"),
                JITED_PROG_LEN = off(LAYOUT, "jited_prog_len"), XLATED_PROG_LEN = off(LAYOUT, "xlated_prog_len"),
                JITED_PROG_INSNS = off(LAYOUT, "jited_prog_insns"), XLATED_PROG_INSNS = off(LAYOUT, "xlated_prog_insns"),
                LOAD_TIME = off(LAYOUT, "load_time"), CREATED_BY_UID = off(LAYOUT, "created_by_uid"),
                NR_MAP_IDS = off(LAYOUT, "nr_map_ids"), MAP_IDS = off(LAYOUT, "map_ids"), NAME = off(LAYOUT, "name"),
                IFINDEX = off(LAYOUT, "ifindex"), GPL_COMPATIBLE = off(LAYOUT, "gpl_compatible"),
                NR_JITED_KSYMS = off(LAYOUT, "nr_jited_ksyms"), NR_JITED_FUNC_LENS = off(LAYOUT, "nr_jited_func_lens"),
                JITED_KSYMS = off(LAYOUT, "jited_ksyms"), JITED_FUNC_LENS = off(LAYOUT, "jited_func_lens"),
                BTF_ID = off(LAYOUT, "btf_id"), FUNC_INFO_REC_SIZE = off(LAYOUT, "func_info_rec_size"),
                FUNC_INFO = off(LAYOUT, "func_info"), NR_FUNC_INFO = off(LAYOUT, "nr_func_info"),
                NR_LINE_INFO = off(LAYOUT, "nr_line_info"), NR_PROG_TAGS = off(LAYOUT, "nr_prog_tags"),
                PROG_TAGS = off(LAYOUT, "prog_tags"), RUN_TIME_NS = off(LAYOUT, "run_time_ns"),
                RUN_CNT = off(LAYOUT, "run_cnt"), RECURSION_MISSES = off(LAYOUT, "recursion_misses"),
                VERIFIED_INSNS = off(LAYOUT, "verified_insns"), ATTACH_BTF_OBJ_ID = off(LAYOUT, "attach_btf_obj_id"),
                ATTACH_BTF_ID = off(LAYOUT, "attach_btf_id");
    }

    /** struct bpf_map_info. */
    public static final class MapInfo {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("type"), u32("id"), u32("key_size"), u32("value_size"), u32("max_entries"), u32("map_flags"),
                chars("name", 16), u32("ifindex"), u32("btf_vmlinux_value_type_id"), u64("netns_dev"),
                u64("netns_ino"), u32("btf_id"), u32("btf_key_type_id"), u32("btf_value_type_id"),
                u32("btf_vmlinux_id"), u64("map_extra"));
        public static final long TYPE = off(LAYOUT, "type"), ID = off(LAYOUT, "id"), KEY_SIZE = off(LAYOUT, "key_size"),
                VALUE_SIZE = off(LAYOUT, "value_size"), MAX_ENTRIES = off(LAYOUT, "max_entries"),
                MAP_FLAGS = off(LAYOUT, "map_flags"), NAME = off(LAYOUT, "name"), IFINDEX = off(LAYOUT, "ifindex"),
                BTF_ID = off(LAYOUT, "btf_id"), BTF_KEY_TYPE_ID = off(LAYOUT, "btf_key_type_id"),
                BTF_VALUE_TYPE_ID = off(LAYOUT, "btf_value_type_id"), MAP_EXTRA = off(LAYOUT, "map_extra"),
                BTF_VMLINUX_VALUE_TYPE_ID = off(LAYOUT, "btf_vmlinux_value_type_id");
    }

    /** struct bpf_btf_info. */
    public static final class BtfInfo {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u64("btf"), u32("btf_size"), u32("id"), u64("name"), u32("name_len"), u32("kernel_btf"));
        public static final long BTF = off(LAYOUT, "btf"), BTF_SIZE = off(LAYOUT, "btf_size"), ID = off(LAYOUT, "id"),
                NAME = off(LAYOUT, "name"), NAME_LEN = off(LAYOUT, "name_len"), KERNEL_BTF = off(LAYOUT, "kernel_btf");
    }

    /**
     * struct bpf_link_info: three u32 then a union at 16 whose members we read by offset
     * (see LinkInfo parsing in the library for which member belongs to which link type).
     */
    public static final class LinkInfo {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("type"), u32("id"), u32("prog_id"), pad(4), chars("u", 112));
        public static final long TYPE = off(LAYOUT, "type"), ID = off(LAYOUT, "id"), PROG_ID = off(LAYOUT, "prog_id"),
                UNION = off(LAYOUT, "u");
    }

    /** struct perf_event_attr, the parts used to attach kprobes and tracepoints. */
    public static final class PerfEventAttr {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("type"), u32("size"), u64("config"), u64("sample_period"), u64("sample_type"),
                u64("read_format"), u64("flags"), u32("wakeup_events"), u32("bp_type"), u64("config1"),
                u64("config2"), u64("branch_sample_type"), u64("sample_regs_user"), u32("sample_stack_user"),
                u32("clockid"), u64("sample_regs_intr"), u32("aux_watermark"), pad(12));
        /** PERF_ATTR_SIZE_VER5: every kernel bpf4j supports knows this size. */
        public static final int ATTR_SIZE = 112;
        public static final long TYPE = off(LAYOUT, "type"), SIZE = off(LAYOUT, "size"), CONFIG = off(LAYOUT, "config"),
                SAMPLE_PERIOD = off(LAYOUT, "sample_period"), SAMPLE_TYPE = off(LAYOUT, "sample_type"),
                FLAGS = off(LAYOUT, "flags"), WAKEUP_EVENTS = off(LAYOUT, "wakeup_events"),
                CONFIG1 = off(LAYOUT, "config1"), CONFIG2 = off(LAYOUT, "config2");
    }
}
