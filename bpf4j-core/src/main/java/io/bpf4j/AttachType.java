package io.bpf4j;

/** Attach types (enum bpf_attach_type), numbered as the kernel numbers them. */
public enum AttachType {
    CGROUP_INET_INGRESS, CGROUP_INET_EGRESS, CGROUP_INET_SOCK_CREATE, CGROUP_SOCK_OPS, SK_SKB_STREAM_PARSER, SK_SKB_STREAM_VERDICT,
    CGROUP_DEVICE, SK_MSG_VERDICT, CGROUP_INET4_BIND, CGROUP_INET6_BIND, CGROUP_INET4_CONNECT, CGROUP_INET6_CONNECT,
    CGROUP_INET4_POST_BIND, CGROUP_INET6_POST_BIND, CGROUP_UDP4_SENDMSG, CGROUP_UDP6_SENDMSG, LIRC_MODE2, FLOW_DISSECTOR,
    CGROUP_SYSCTL, CGROUP_UDP4_RECVMSG, CGROUP_UDP6_RECVMSG, CGROUP_GETSOCKOPT, CGROUP_SETSOCKOPT, TRACE_RAW_TP,
    TRACE_FENTRY, TRACE_FEXIT, MODIFY_RETURN, LSM_MAC, TRACE_ITER, CGROUP_INET4_GETPEERNAME,
    CGROUP_INET6_GETPEERNAME, CGROUP_INET4_GETSOCKNAME, CGROUP_INET6_GETSOCKNAME, XDP_DEVMAP, CGROUP_INET_SOCK_RELEASE, XDP_CPUMAP,
    SK_LOOKUP, XDP, SK_SKB_VERDICT, SK_REUSEPORT_SELECT, SK_REUSEPORT_SELECT_OR_MIGRATE, PERF_EVENT,
    TRACE_KPROBE_MULTI, LSM_CGROUP, STRUCT_OPS, NETFILTER, TCX_INGRESS, TCX_EGRESS,
    TRACE_UPROBE_MULTI, CGROUP_UNIX_CONNECT, CGROUP_UNIX_SENDMSG, CGROUP_UNIX_RECVMSG, CGROUP_UNIX_GETPEERNAME, CGROUP_UNIX_GETSOCKNAME,
    NETKIT_PRIMARY, NETKIT_PEER, TRACE_KPROBE_SESSION, TRACE_UPROBE_SESSION;

    private static final AttachType[] VALUES = values();

    /** The kernel's number. */
    public int value() {
        return ordinal();
    }

    /** The kernel's name, e.g. {@code BPF_CGROUP_SOCK_OPS}. */
    public String kernelName() {
        return "BPF_" + name();
    }

    /** The constant for a kernel number, or {@code null} if this bpf4j does not know it. */
    public static AttachType of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }

    /** The kernel name for a number, {@code BPF_<n>} when unknown (a newer kernel). */
    public static String nameOf(int value) {
        AttachType t = of(value);
        return t != null ? t.kernelName() : "BPF_" + value;
    }

    /** Parses {@code kprobe}, {@code KPROBE} or the full kernel name. */
    public static AttachType parse(String s) {
        String n = s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("BPF_")) n = n.substring(4);
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new BpfException("unknown attach type: " + s);
        }
    }
}
