package io.bpf4j.tools.trace;

/** How the tracer hooks functions (retsnoop's -M, -K, -F). */
public enum AttachMode {
    /**
     * One kprobe.multi link for all entries and one for all exits (5.18+, CONFIG_FPROBE); from
     * 6.10 one kprobe session link for both.
     */
    MULTI("kprobe.multi"),
    /** A kprobe and a kretprobe per function. */
    KPROBE("kprobe"),
    /** An fentry and an fexit program per function (5.5+, needs kernel BTF for each function). */
    FENTRY("fentry/fexit");

    public final String label;

    AttachMode(String label) {
        this.label = label;
    }
}
