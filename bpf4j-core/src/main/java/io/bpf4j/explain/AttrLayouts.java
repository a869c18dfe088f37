package io.bpf4j.explain;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.AttrField.Kind;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The fields each bpf(2) command reads from {@code union bpf_attr}, with the offsets of the uapi
 * header of Linux 7.3 (offsets never move between versions; newer fields are appended). A kernel
 * reads {@code min(size, sizeof(union bpf_attr))} bytes, so a field past the caller's size is
 * zero as far as the kernel is concerned.
 */
public final class AttrLayouts {
    private AttrLayouts() {}

    /** The largest attr this table knows (7.3: 168 bytes). */
    public static final int KNOWN_SIZE = 168;

    private static final Map<BpfCommand, List<AttrField>> BY_COMMAND = new EnumMap<>(BpfCommand.class);

    private static AttrField f(String name, int off, int size, Kind kind) {
        return new AttrField(name, off, size, kind);
    }

    private static AttrField u32(String name, int off) {
        return f(name, off, 4, Kind.U32);
    }

    private static AttrField fd(String name, int off) {
        return f(name, off, 4, Kind.FD);
    }

    private static AttrField optFd(String name, int off) {
        return f(name, off, 4, Kind.OPT_FD).optional();
    }

    private static AttrField ptr(String name, int off) {
        return f(name, off, 8, Kind.PTR);
    }

    static {
        BY_COMMAND.put(BpfCommand.MAP_CREATE, List.of(
                f("map_type", 0, 4, Kind.MAP_TYPE), u32("key_size", 4), u32("value_size", 8), u32("max_entries", 12),
                f("map_flags", 16, 4, Kind.MAP_FLAGS), optFd("inner_map_fd", 20), u32("numa_node", 24).optional(),
                f("map_name", 28, 16, Kind.NAME), u32("map_ifindex", 44).optional(), optFd("btf_fd", 48),
                u32("btf_key_type_id", 52).optional(), u32("btf_value_type_id", 56).optional(),
                u32("btf_vmlinux_value_type_id", 60).optional(), f("map_extra", 64, 8, Kind.U64).optional(),
                optFd("value_type_btf_obj_fd", 72), optFd("map_token_fd", 76), ptr("excl_prog_hash", 80).optional(),
                u32("excl_prog_hash_size", 88).optional()));
        List<AttrField> elem = List.of(fd("map_fd", 0), ptr("key", 8), ptr("value", 16), f("flags", 24, 8, Kind.ELEM_FLAGS));
        BY_COMMAND.put(BpfCommand.MAP_LOOKUP_ELEM, elem);
        BY_COMMAND.put(BpfCommand.MAP_UPDATE_ELEM, elem);
        BY_COMMAND.put(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, elem);
        BY_COMMAND.put(BpfCommand.MAP_DELETE_ELEM, List.of(fd("map_fd", 0), ptr("key", 8), f("flags", 24, 8, Kind.ELEM_FLAGS).optional()));
        BY_COMMAND.put(BpfCommand.MAP_GET_NEXT_KEY, List.of(fd("map_fd", 0), ptr("key", 8), ptr("next_key", 16)));
        BY_COMMAND.put(BpfCommand.MAP_FREEZE, List.of(fd("map_fd", 0)));
        List<AttrField> batch = List.of(ptr("in_batch", 0), ptr("out_batch", 8), ptr("keys", 16), ptr("values", 24),
                u32("count", 32), fd("map_fd", 36), f("elem_flags", 40, 8, Kind.ELEM_FLAGS), f("flags", 48, 8, Kind.HEX));
        for (BpfCommand c : List.of(BpfCommand.MAP_LOOKUP_BATCH, BpfCommand.MAP_LOOKUP_AND_DELETE_BATCH,
                BpfCommand.MAP_UPDATE_BATCH, BpfCommand.MAP_DELETE_BATCH)) BY_COMMAND.put(c, batch);
        BY_COMMAND.put(BpfCommand.PROG_LOAD, List.of(
                f("prog_type", 0, 4, Kind.PROG_TYPE), u32("insn_cnt", 4), ptr("insns", 8), ptr("license", 16),
                u32("log_level", 24), u32("log_size", 28), ptr("log_buf", 32), u32("kern_version", 40).optional(),
                f("prog_flags", 44, 4, Kind.PROG_FLAGS), f("prog_name", 48, 16, Kind.NAME), u32("prog_ifindex", 64).optional(),
                f("expected_attach_type", 68, 4, Kind.ATTACH_TYPE), optFd("prog_btf_fd", 72),
                u32("func_info_rec_size", 76).optional(), ptr("func_info", 80).optional(), u32("func_info_cnt", 88).optional(),
                u32("line_info_rec_size", 92).optional(), ptr("line_info", 96).optional(), u32("line_info_cnt", 104).optional(),
                u32("attach_btf_id", 108).optional(), optFd("attach_prog_fd", 112), u32("core_relo_cnt", 116).optional(),
                ptr("fd_array", 120).optional(), ptr("core_relos", 128).optional(), u32("core_relo_rec_size", 136).optional(),
                u32("log_true_size", 140).optional(), optFd("prog_token_fd", 144), u32("fd_array_cnt", 148).optional(),
                ptr("signature", 152).optional(), u32("signature_size", 160).optional(), f("keyring_id", 164, 4, Kind.S32).optional()));
        BY_COMMAND.put(BpfCommand.OBJ_PIN, List.of(ptr("pathname", 0), fd("bpf_fd", 8), f("file_flags", 12, 4, Kind.FILE_FLAGS),
                f("path_fd", 16, 4, Kind.S32).optional()));
        BY_COMMAND.put(BpfCommand.OBJ_GET, List.of(ptr("pathname", 0), u32("bpf_fd", 8).optional(),
                f("file_flags", 12, 4, Kind.FILE_FLAGS), f("path_fd", 16, 4, Kind.S32).optional()));
        List<AttrField> attach = List.of(f("target_fd", 0, 4, Kind.TARGET), fd("attach_bpf_fd", 4), f("attach_type", 8, 4, Kind.ATTACH_TYPE),
                f("attach_flags", 12, 4, Kind.ATTACH_FLAGS), optFd("replace_bpf_fd", 16), u32("relative_fd", 20).optional(),
                f("expected_revision", 24, 8, Kind.U64).optional());
        BY_COMMAND.put(BpfCommand.PROG_ATTACH, attach);
        BY_COMMAND.put(BpfCommand.PROG_DETACH, attach);
        BY_COMMAND.put(BpfCommand.PROG_TEST_RUN, List.of(fd("prog_fd", 0), u32("retval", 4).optional(), u32("data_size_in", 8),
                u32("data_size_out", 12), ptr("data_in", 16), ptr("data_out", 24), u32("repeat", 32), u32("duration", 36).optional(),
                u32("ctx_size_in", 40), u32("ctx_size_out", 44), ptr("ctx_in", 48), ptr("ctx_out", 56), f("flags", 64, 4, Kind.HEX),
                u32("cpu", 68).optional(), u32("batch_size", 72).optional()));
        List<AttrField> nextId = List.of(u32("start_id", 0), u32("next_id", 4), f("open_flags", 8, 4, Kind.FILE_FLAGS).optional());
        for (BpfCommand c : List.of(BpfCommand.PROG_GET_NEXT_ID, BpfCommand.MAP_GET_NEXT_ID, BpfCommand.BTF_GET_NEXT_ID,
                BpfCommand.LINK_GET_NEXT_ID)) BY_COMMAND.put(c, nextId);
        BY_COMMAND.put(BpfCommand.PROG_GET_FD_BY_ID, byId("prog_id"));
        BY_COMMAND.put(BpfCommand.MAP_GET_FD_BY_ID, byId("map_id"));
        BY_COMMAND.put(BpfCommand.BTF_GET_FD_BY_ID, byId("btf_id"));
        BY_COMMAND.put(BpfCommand.LINK_GET_FD_BY_ID, byId("link_id"));
        BY_COMMAND.put(BpfCommand.OBJ_GET_INFO_BY_FD, List.of(fd("bpf_fd", 0), u32("info_len", 4), ptr("info", 8)));
        BY_COMMAND.put(BpfCommand.PROG_QUERY, List.of(f("target_fd", 0, 4, Kind.TARGET), f("attach_type", 4, 4, Kind.ATTACH_TYPE),
                f("query_flags", 8, 4, Kind.HEX), f("attach_flags", 12, 4, Kind.ATTACH_FLAGS), ptr("prog_ids", 16), u32("prog_cnt", 24),
                ptr("prog_attach_flags", 32).optional(), ptr("link_ids", 40).optional(), ptr("link_attach_flags", 48).optional(),
                f("revision", 56, 8, Kind.U64).optional()));
        BY_COMMAND.put(BpfCommand.RAW_TRACEPOINT_OPEN, List.of(ptr("name", 0), fd("prog_fd", 8), f("cookie", 16, 8, Kind.HEX).optional()));
        BY_COMMAND.put(BpfCommand.BTF_LOAD, List.of(ptr("btf", 0), ptr("btf_log_buf", 8), u32("btf_size", 16), u32("btf_log_size", 20),
                u32("btf_log_level", 24), u32("btf_log_true_size", 28).optional(), f("btf_flags", 32, 4, Kind.HEX).optional(),
                optFd("btf_token_fd", 36)));
        BY_COMMAND.put(BpfCommand.TASK_FD_QUERY, List.of(u32("pid", 0), u32("fd", 4), f("flags", 8, 4, Kind.HEX), u32("buf_len", 12),
                ptr("buf", 16), u32("prog_id", 24), u32("fd_type", 28), f("probe_offset", 32, 8, Kind.HEX), f("probe_addr", 40, 8, Kind.HEX)));
        BY_COMMAND.put(BpfCommand.LINK_CREATE, List.of(fd("prog_fd", 0), f("target_fd", 4, 4, Kind.TARGET),
                f("attach_type", 8, 4, Kind.ATTACH_TYPE), f("flags", 12, 4, Kind.HEX),
                // A union by link type: the tracing target, a perf cookie, iterator info, multi-probe arrays...
                u32("target_btf_id", 16).optional(), f("link_create.u64_16", 16, 8, Kind.HEX).optional(),
                f("link_create.u64_24", 24, 8, Kind.HEX).optional()));
        BY_COMMAND.put(BpfCommand.LINK_UPDATE, List.of(fd("link_fd", 0), fd("new_prog_fd", 4), f("flags", 8, 4, Kind.HEX),
                optFd("old_prog_fd", 12)));
        BY_COMMAND.put(BpfCommand.LINK_DETACH, List.of(fd("link_fd", 0)));
        BY_COMMAND.put(BpfCommand.ENABLE_STATS, List.of(u32("type", 0)));
        BY_COMMAND.put(BpfCommand.ITER_CREATE, List.of(fd("link_fd", 0), f("flags", 4, 4, Kind.HEX)));
        BY_COMMAND.put(BpfCommand.PROG_BIND_MAP, List.of(fd("prog_fd", 0), fd("map_fd", 4), f("flags", 8, 4, Kind.HEX)));
        BY_COMMAND.put(BpfCommand.TOKEN_CREATE, List.of(f("flags", 0, 4, Kind.HEX), fd("bpffs_fd", 4)));
    }

    private static List<AttrField> byId(String id) {
        return List.of(u32(id, 0), f("open_flags", 8, 4, Kind.FILE_FLAGS).optional(), optFd("fd_by_id_token_fd", 12));
    }

    /** The fields {@code cmd} reads, in the uapi order; empty for a command this table does not know. */
    public static List<AttrField> of(BpfCommand cmd) {
        return cmd == null ? List.of() : BY_COMMAND.getOrDefault(cmd, List.of());
    }

    /** The field named {@code name} of {@code cmd}, or null. */
    public static AttrField field(BpfCommand cmd, String name) {
        for (AttrField f : of(cmd)) if (f.name().equals(name)) return f;
        return null;
    }
}
