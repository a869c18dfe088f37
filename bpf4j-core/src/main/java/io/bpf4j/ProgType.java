package io.bpf4j;

/** Program types (enum bpf_prog_type), numbered as the kernel numbers them. */
public enum ProgType {
    UNSPEC, SOCKET_FILTER, KPROBE, SCHED_CLS, SCHED_ACT, TRACEPOINT,
    XDP, PERF_EVENT, CGROUP_SKB, CGROUP_SOCK, LWT_IN, LWT_OUT,
    LWT_XMIT, SOCK_OPS, SK_SKB, CGROUP_DEVICE, SK_MSG, RAW_TRACEPOINT,
    CGROUP_SOCK_ADDR, LWT_SEG6LOCAL, LIRC_MODE2, SK_REUSEPORT, FLOW_DISSECTOR, CGROUP_SYSCTL,
    RAW_TRACEPOINT_WRITABLE, CGROUP_SOCKOPT, TRACING, STRUCT_OPS, EXT, LSM,
    SK_LOOKUP, SYSCALL, NETFILTER;

    private static final ProgType[] VALUES = values();

    /** The kernel's number. */
    public int value() {
        return ordinal();
    }

    /** The kernel's name, e.g. {@code BPF_PROG_TYPE_SCHED_CLS}. */
    public String kernelName() {
        return KERNEL_NAMES[ordinal()];
    }

    /** Built once: inspect names thousands of objects, and each concatenation costs a cold JVM. */
    private static final String[] KERNEL_NAMES = new String[VALUES.length];
    static {
        for (int i = 0; i < VALUES.length; i++) KERNEL_NAMES[i] = "BPF_PROG_TYPE_" + VALUES[i].name();
    }

    /** The constant for a kernel number, or {@code null} if this bpf4j does not know it. */
    public static ProgType of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }

    /** The kernel name for a number, {@code BPF_PROG_TYPE_<n>} when unknown (a newer kernel). */
    public static String nameOf(int value) {
        ProgType t = of(value);
        return t != null ? t.kernelName() : "BPF_PROG_TYPE_" + value;
    }

    /** Parses {@code kprobe}, {@code KPROBE} or the full kernel name. */
    public static ProgType parse(String s) {
        String n = s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("BPF_PROG_TYPE_")) n = n.substring(14);
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new BpfException("unknown prog type: " + s);
        }
    }
}
