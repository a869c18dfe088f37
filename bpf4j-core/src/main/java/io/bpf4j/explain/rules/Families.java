package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static io.bpf4j.AttachType.*;

/** Groups of map, program and attach types that the kernel treats alike in one check. */
final class Families {
    private Families() {}

    /** array_map_alloc_check(): key_size 4, non-zero max_entries and value_size. */
    static final Set<MapType> ARRAYS = EnumSet.of(MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.PROG_ARRAY,
            MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.ARRAY_OF_MAPS);
    /** Plain arrays: elements always exist and cannot be deleted. */
    static final Set<MapType> PLAIN_ARRAYS = EnumSet.of(MapType.ARRAY, MapType.PERCPU_ARRAY);
    /** fd arrays: an update stores the object an fd names; only BPF_ANY. */
    static final Set<MapType> FD_ARRAYS = EnumSet.of(MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY,
            MapType.ARRAY_OF_MAPS);
    /** Maps whose value is a 4-byte fd at update. */
    static final Set<MapType> FD_VALUED = EnumSet.of(MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY,
            MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS);
    static final Set<MapType> HASHES = EnumSet.of(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH,
            MapType.LRU_PERCPU_HASH, MapType.HASH_OF_MAPS);
    static final Set<MapType> LRU = EnumSet.of(MapType.LRU_HASH, MapType.LRU_PERCPU_HASH);
    static final Set<MapType> PER_CPU = EnumSet.of(MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH,
            MapType.PERCPU_CGROUP_STORAGE);
    static final Set<MapType> MAP_IN_MAP = EnumSet.of(MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS);
    /** Maps with no key (key_size 0, key NULL). */
    static final Set<MapType> KEYLESS = EnumSet.of(MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER);

    static MapType mapType(int v) {
        return MapType.of(v);
    }

    static boolean in(Set<MapType> s, int type) {
        MapType t = MapType.of(type);
        return t != null && s.contains(t);
    }

    /** The Linux release that added a map type (uapi history). */
    static final Map<MapType, String> MAP_SINCE = Map.ofEntries(
            Map.entry(MapType.SK_STORAGE, "5.2"), Map.entry(MapType.DEVMAP_HASH, "5.4"),
            Map.entry(MapType.STRUCT_OPS, "5.6"), Map.entry(MapType.RINGBUF, "5.8"),
            Map.entry(MapType.INODE_STORAGE, "5.10"), Map.entry(MapType.TASK_STORAGE, "5.11"),
            Map.entry(MapType.BLOOM_FILTER, "5.16"), Map.entry(MapType.USER_RINGBUF, "6.1"),
            Map.entry(MapType.CGRP_STORAGE, "6.2"), Map.entry(MapType.ARENA, "6.9"));

    static final Map<ProgType, String> PROG_SINCE = Map.ofEntries(
            Map.entry(ProgType.TRACING, "5.5"), Map.entry(ProgType.STRUCT_OPS, "5.6"), Map.entry(ProgType.EXT, "5.6"),
            Map.entry(ProgType.LSM, "5.7"), Map.entry(ProgType.SK_LOOKUP, "5.9"), Map.entry(ProgType.SYSCALL, "5.14"),
            Map.entry(ProgType.NETFILTER, "6.4"));

    /** The program type an attach type needs (kernel/bpf/syscall.c attach_type_to_prog_type() and link_create()). */
    static ProgType progTypeFor(AttachType a) {
        return switch (a) {
            case CGROUP_INET_INGRESS, CGROUP_INET_EGRESS -> ProgType.CGROUP_SKB;
            case CGROUP_INET_SOCK_CREATE, CGROUP_INET_SOCK_RELEASE, CGROUP_INET4_POST_BIND, CGROUP_INET6_POST_BIND ->
                    ProgType.CGROUP_SOCK;
            case CGROUP_INET4_BIND, CGROUP_INET6_BIND, CGROUP_INET4_CONNECT, CGROUP_INET6_CONNECT, CGROUP_UDP4_SENDMSG,
                 CGROUP_UDP6_SENDMSG, CGROUP_UDP4_RECVMSG, CGROUP_UDP6_RECVMSG, CGROUP_INET4_GETPEERNAME,
                 CGROUP_INET6_GETPEERNAME, CGROUP_INET4_GETSOCKNAME, CGROUP_INET6_GETSOCKNAME, CGROUP_UNIX_CONNECT,
                 CGROUP_UNIX_SENDMSG, CGROUP_UNIX_RECVMSG, CGROUP_UNIX_GETPEERNAME, CGROUP_UNIX_GETSOCKNAME -> ProgType.CGROUP_SOCK_ADDR;
            case CGROUP_SOCK_OPS -> ProgType.SOCK_OPS;
            case CGROUP_DEVICE -> ProgType.CGROUP_DEVICE;
            case SK_MSG_VERDICT -> ProgType.SK_MSG;
            case SK_SKB_STREAM_PARSER, SK_SKB_STREAM_VERDICT, SK_SKB_VERDICT -> ProgType.SK_SKB;
            case LIRC_MODE2 -> ProgType.LIRC_MODE2;
            case FLOW_DISSECTOR -> ProgType.FLOW_DISSECTOR;
            case CGROUP_SYSCTL -> ProgType.CGROUP_SYSCTL;
            case CGROUP_GETSOCKOPT, CGROUP_SETSOCKOPT -> ProgType.CGROUP_SOCKOPT;
            case TRACE_ITER, TRACE_RAW_TP, TRACE_FENTRY, TRACE_FEXIT, MODIFY_RETURN -> ProgType.TRACING;
            case LSM_MAC, LSM_CGROUP -> ProgType.LSM;
            case SK_LOOKUP -> ProgType.SK_LOOKUP;
            case XDP, XDP_DEVMAP, XDP_CPUMAP -> ProgType.XDP;
            case PERF_EVENT -> ProgType.PERF_EVENT;
            case TRACE_KPROBE_MULTI, TRACE_KPROBE_SESSION, TRACE_UPROBE_MULTI, TRACE_UPROBE_SESSION -> ProgType.KPROBE;
            case NETFILTER -> ProgType.NETFILTER;
            case TCX_INGRESS, TCX_EGRESS, NETKIT_PRIMARY, NETKIT_PEER -> ProgType.SCHED_CLS;
            case SK_REUSEPORT_SELECT, SK_REUSEPORT_SELECT_OR_MIGRATE -> ProgType.SK_REUSEPORT;
            case STRUCT_OPS -> ProgType.STRUCT_OPS;
        };
    }

    /** Attach types whose target_fd is a cgroup directory. */
    static boolean cgroupAttach(AttachType a) {
        ProgType p = progTypeFor(a);
        return a == CGROUP_INET_INGRESS || a == CGROUP_INET_EGRESS || p == ProgType.CGROUP_SOCK || p == ProgType.CGROUP_SOCK_ADDR
                || a == CGROUP_SOCK_OPS || a == CGROUP_DEVICE || a == CGROUP_SYSCTL || p == ProgType.CGROUP_SOCKOPT || a == LSM_CGROUP;
    }

    /** Program types that need CAP_NET_ADMIN besides CAP_BPF (syscall.c is_net_admin_prog_type()). */
    static final Set<ProgType> NET_ADMIN = EnumSet.of(ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_IN,
            ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL, ProgType.SK_SKB, ProgType.SK_MSG,
            ProgType.FLOW_DISSECTOR, ProgType.CGROUP_DEVICE, ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR,
            ProgType.CGROUP_SOCKOPT, ProgType.CGROUP_SYSCTL, ProgType.SOCK_OPS, ProgType.EXT, ProgType.NETFILTER);
    /** Program types that need CAP_PERFMON besides CAP_BPF (is_perfmon_prog_type()). */
    static final Set<ProgType> PERFMON = EnumSet.of(ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT,
            ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.LSM,
            ProgType.STRUCT_OPS, ProgType.EXT);

    /** Program types with a test_run operation (Linux 7.3). */
    static final Set<ProgType> TEST_RUN = EnumSet.of(ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT,
            ProgType.XDP, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL,
            ProgType.FLOW_DISSECTOR, ProgType.SK_LOOKUP, ProgType.RAW_TRACEPOINT, ProgType.TRACING, ProgType.SYSCALL,
            ProgType.STRUCT_OPS, ProgType.NETFILTER);
}
