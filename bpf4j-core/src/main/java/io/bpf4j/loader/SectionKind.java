package io.bpf4j.loader;

import io.bpf4j.AttachType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;

import java.util.List;

/**
 * What a program's ELF section name means, by libbpf's conventions ({@code SEC("kprobe/...")}
 * and friends, libbpf.c {@code section_defs}): program type, expected attach type, load flags,
 * how it attaches, and the attach target written after the prefix.
 *
 * @param prefix  the convention that matched, e.g. {@code "kprobe"} or {@code "fentry.s"}
 * @param target  what follows {@code prefix/}, or {@code ""} (e.g. a function or tracepoint)
 */
public record SectionKind(String prefix, ProgType type, AttachType attachType, int flags, Attach attach, String target) {

    /** How {@link BpfObject#attach} attaches a program of this kind. */
    public enum Attach {
        /** Not attached by the loader (socket filters, tc, cgroup...: attach with the fd yourself). */
        MANUAL,
        KPROBE, KRETPROBE, KSYSCALL, KRETSYSCALL, KPROBE_MULTI, KRETPROBE_MULTI, KPROBE_SESSION,
        TRACEPOINT, RAW_TRACEPOINT,
        /** fentry/fexit/fmod_ret/tp_btf/lsm: through the load-time BTF target. */
        TRACING,
        /** freplace: through the load-time target program and function. */
        EXT,
        ITER, XDP
    }

    private record Def(String name, boolean prefix, ProgType type, AttachType attachType, int flags, Attach attach) {}

    private static final int SLEEPABLE = ProgramSpec.F_SLEEPABLE, FRAGS = ProgramSpec.F_XDP_HAS_FRAGS;

    /** Longest names first where one name is another's prefix ("kprobe.multi" before "kprobe"). */
    private static final List<Def> DEFS = List.of(
            def("socket", false, ProgType.SOCKET_FILTER, null, 0, Attach.MANUAL),
            def("sk_reuseport/migrate", false, ProgType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE, 0, Attach.MANUAL),
            def("sk_reuseport", false, ProgType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT, 0, Attach.MANUAL),
            def("kprobe.multi", true, ProgType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 0, Attach.KPROBE_MULTI),
            def("kretprobe.multi", true, ProgType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 0, Attach.KRETPROBE_MULTI),
            def("kprobe.session", true, ProgType.KPROBE, AttachType.TRACE_KPROBE_SESSION, 0, Attach.KPROBE_SESSION),
            def("kprobe", true, ProgType.KPROBE, null, 0, Attach.KPROBE),
            def("kretprobe", true, ProgType.KPROBE, null, 0, Attach.KRETPROBE),
            def("ksyscall", true, ProgType.KPROBE, null, 0, Attach.KSYSCALL),
            def("kretsyscall", true, ProgType.KPROBE, null, 0, Attach.KRETSYSCALL),
            def("uprobe", true, ProgType.KPROBE, null, 0, Attach.MANUAL),
            def("uretprobe", true, ProgType.KPROBE, null, 0, Attach.MANUAL),
            def("tc/ingress", false, ProgType.SCHED_CLS, AttachType.TCX_INGRESS, 0, Attach.MANUAL),
            def("tc/egress", false, ProgType.SCHED_CLS, AttachType.TCX_EGRESS, 0, Attach.MANUAL),
            def("tcx/ingress", false, ProgType.SCHED_CLS, AttachType.TCX_INGRESS, 0, Attach.MANUAL),
            def("tcx/egress", false, ProgType.SCHED_CLS, AttachType.TCX_EGRESS, 0, Attach.MANUAL),
            def("tc", true, ProgType.SCHED_CLS, null, 0, Attach.MANUAL),
            def("classifier", true, ProgType.SCHED_CLS, null, 0, Attach.MANUAL),
            def("action", true, ProgType.SCHED_ACT, null, 0, Attach.MANUAL),
            def("tracepoint", true, ProgType.TRACEPOINT, null, 0, Attach.TRACEPOINT),
            def("tp", true, ProgType.TRACEPOINT, null, 0, Attach.TRACEPOINT),
            def("raw_tracepoint.w", true, ProgType.RAW_TRACEPOINT_WRITABLE, null, 0, Attach.RAW_TRACEPOINT),
            def("raw_tp.w", true, ProgType.RAW_TRACEPOINT_WRITABLE, null, 0, Attach.RAW_TRACEPOINT),
            def("raw_tracepoint", true, ProgType.RAW_TRACEPOINT, null, 0, Attach.RAW_TRACEPOINT),
            def("raw_tp", true, ProgType.RAW_TRACEPOINT, null, 0, Attach.RAW_TRACEPOINT),
            def("tp_btf", true, ProgType.TRACING, AttachType.TRACE_RAW_TP, 0, Attach.TRACING),
            def("fentry.s", true, ProgType.TRACING, AttachType.TRACE_FENTRY, SLEEPABLE, Attach.TRACING),
            def("fmod_ret.s", true, ProgType.TRACING, AttachType.MODIFY_RETURN, SLEEPABLE, Attach.TRACING),
            def("fexit.s", true, ProgType.TRACING, AttachType.TRACE_FEXIT, SLEEPABLE, Attach.TRACING),
            def("fentry", true, ProgType.TRACING, AttachType.TRACE_FENTRY, 0, Attach.TRACING),
            def("fmod_ret", true, ProgType.TRACING, AttachType.MODIFY_RETURN, 0, Attach.TRACING),
            def("fexit", true, ProgType.TRACING, AttachType.TRACE_FEXIT, 0, Attach.TRACING),
            def("freplace", true, ProgType.EXT, null, 0, Attach.EXT),
            def("lsm.s", true, ProgType.LSM, AttachType.LSM_MAC, SLEEPABLE, Attach.TRACING),
            def("lsm_cgroup", true, ProgType.LSM, AttachType.LSM_CGROUP, 0, Attach.MANUAL),
            def("lsm", true, ProgType.LSM, AttachType.LSM_MAC, 0, Attach.TRACING),
            def("iter.s", true, ProgType.TRACING, AttachType.TRACE_ITER, SLEEPABLE, Attach.ITER),
            def("iter", true, ProgType.TRACING, AttachType.TRACE_ITER, 0, Attach.ITER),
            def("syscall", false, ProgType.SYSCALL, null, SLEEPABLE, Attach.MANUAL),
            def("xdp.frags/devmap", false, ProgType.XDP, AttachType.XDP_DEVMAP, FRAGS, Attach.MANUAL),
            def("xdp/devmap", false, ProgType.XDP, AttachType.XDP_DEVMAP, 0, Attach.MANUAL),
            def("xdp.frags/cpumap", false, ProgType.XDP, AttachType.XDP_CPUMAP, FRAGS, Attach.MANUAL),
            def("xdp/cpumap", false, ProgType.XDP, AttachType.XDP_CPUMAP, 0, Attach.MANUAL),
            def("xdp.frags", false, ProgType.XDP, AttachType.XDP, FRAGS, Attach.XDP),
            def("xdp", false, ProgType.XDP, AttachType.XDP, 0, Attach.XDP),
            def("perf_event", false, ProgType.PERF_EVENT, null, 0, Attach.MANUAL),
            def("lwt_in", false, ProgType.LWT_IN, null, 0, Attach.MANUAL),
            def("lwt_out", false, ProgType.LWT_OUT, null, 0, Attach.MANUAL),
            def("lwt_xmit", false, ProgType.LWT_XMIT, null, 0, Attach.MANUAL),
            def("lwt_seg6local", false, ProgType.LWT_SEG6LOCAL, null, 0, Attach.MANUAL),
            def("sockops", false, ProgType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, 0, Attach.MANUAL),
            def("sk_skb/stream_parser", false, ProgType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER, 0, Attach.MANUAL),
            def("sk_skb/stream_verdict", false, ProgType.SK_SKB, AttachType.SK_SKB_STREAM_VERDICT, 0, Attach.MANUAL),
            def("sk_skb", true, ProgType.SK_SKB, null, 0, Attach.MANUAL),
            def("sk_msg", false, ProgType.SK_MSG, AttachType.SK_MSG_VERDICT, 0, Attach.MANUAL),
            def("lirc_mode2", false, ProgType.LIRC_MODE2, AttachType.LIRC_MODE2, 0, Attach.MANUAL),
            def("flow_dissector", false, ProgType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, 0, Attach.MANUAL),
            def("cgroup_skb/ingress", false, ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, 0, Attach.MANUAL),
            def("cgroup_skb/egress", false, ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, 0, Attach.MANUAL),
            def("cgroup/skb", false, ProgType.CGROUP_SKB, null, 0, Attach.MANUAL),
            def("cgroup/sock_create", false, ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, 0, Attach.MANUAL),
            def("cgroup/sock_release", false, ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE, 0, Attach.MANUAL),
            def("cgroup/sock", false, ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, 0, Attach.MANUAL),
            def("cgroup/post_bind4", false, ProgType.CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND, 0, Attach.MANUAL),
            def("cgroup/post_bind6", false, ProgType.CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND, 0, Attach.MANUAL),
            def("cgroup/dev", false, ProgType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE, 0, Attach.MANUAL),
            def("cgroup/bind4", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND, 0, Attach.MANUAL),
            def("cgroup/bind6", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND, 0, Attach.MANUAL),
            def("cgroup/connect4", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, 0, Attach.MANUAL),
            def("cgroup/connect6", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT, 0, Attach.MANUAL),
            def("cgroup/sendmsg4", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG, 0, Attach.MANUAL),
            def("cgroup/sendmsg6", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG, 0, Attach.MANUAL),
            def("cgroup/recvmsg4", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG, 0, Attach.MANUAL),
            def("cgroup/recvmsg6", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG, 0, Attach.MANUAL),
            def("cgroup/getpeername4", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME, 0, Attach.MANUAL),
            def("cgroup/getpeername6", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME, 0, Attach.MANUAL),
            def("cgroup/getsockname4", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME, 0, Attach.MANUAL),
            def("cgroup/getsockname6", false, ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME, 0, Attach.MANUAL),
            def("cgroup/sysctl", false, ProgType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL, 0, Attach.MANUAL),
            def("cgroup/getsockopt", false, ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT, 0, Attach.MANUAL),
            def("cgroup/setsockopt", false, ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT, 0, Attach.MANUAL),
            def("struct_ops.s", true, ProgType.STRUCT_OPS, null, SLEEPABLE, Attach.MANUAL),
            def("struct_ops", true, ProgType.STRUCT_OPS, null, 0, Attach.MANUAL),
            def("sk_lookup", false, ProgType.SK_LOOKUP, AttachType.SK_LOOKUP, 0, Attach.MANUAL),
            def("netfilter", false, ProgType.NETFILTER, AttachType.NETFILTER, 0, Attach.MANUAL));

    private static Def def(String name, boolean prefix, ProgType type, AttachType at, int flags, Attach attach) {
        return new Def(name, prefix, type, at, flags, attach);
    }

    /**
     * The kind of a program section, or null when the name follows no known convention. As in
     * libbpf, a name with {@code +} semantics matches itself or {@code name/anything}; the rest
     * must match exactly.
     */
    public static SectionKind of(String section) {
        for (Def d : DEFS) {
            if (section.equals(d.name)) return new SectionKind(d.name, d.type, d.attachType, d.flags, d.attach, "");
            if (d.prefix && section.length() > d.name.length() + 1 && section.startsWith(d.name)
                    && section.charAt(d.name.length()) == '/')
                return new SectionKind(d.name, d.type, d.attachType, d.flags, d.attach, section.substring(d.name.length() + 1));
        }
        return null;
    }

    /** The same kind with another attach target (set in code). */
    public SectionKind withTarget(String t) {
        return new SectionKind(prefix, type, attachType, flags, attach, t == null ? "" : t);
    }

    public boolean sleepable() {
        return (flags & SLEEPABLE) != 0;
    }
}
