package io.bpf4j;

/** Link types (enum bpf_link_type), numbered as the kernel numbers them. */
public enum LinkType {
    UNSPEC, RAW_TRACEPOINT, TRACING, CGROUP, ITER, NETNS,
    XDP, PERF_EVENT, KPROBE_MULTI, STRUCT_OPS, NETFILTER, TCX,
    UPROBE_MULTI, NETKIT, SOCKMAP;

    private static final LinkType[] VALUES = values();

    /** The kernel's number. */
    public int value() {
        return ordinal();
    }

    /** The kernel's name, e.g. {@code BPF_LINK_TYPE_CGROUP}. */
    public String kernelName() {
        return "BPF_LINK_TYPE_" + name();
    }

    /** The constant for a kernel number, or {@code null} if this bpf4j does not know it. */
    public static LinkType of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }

    /** The kernel name for a number, {@code BPF_LINK_TYPE_<n>} when unknown (a newer kernel). */
    public static String nameOf(int value) {
        LinkType t = of(value);
        return t != null ? t.kernelName() : "BPF_LINK_TYPE_" + value;
    }

    /** Parses {@code kprobe}, {@code KPROBE} or the full kernel name. */
    public static LinkType parse(String s) {
        String n = s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("BPF_LINK_TYPE_")) n = n.substring(14);
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new BpfException("unknown link type: " + s);
        }
    }
}
