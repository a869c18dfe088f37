package io.bpf4j.features;

import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.asm.Helper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Kernel features that bpf4j and its tools choose between at run time, each with the first
 * Linux release that has it and a probe that asks the running kernel. {@link Features#probe}
 * runs a probe once per process; {@link Features#require} turns a "no" into an
 * {@link io.bpf4j.UnsupportedFeatureException}.
 *
 * <p>{@link #configDependent()} features can be missing from a kernel new enough to have them,
 * when it was built without their option (Debian's 6.1 has no CONFIG_FPROBE, so no kprobe.multi).
 */
public enum KernelFeature {
    /** Ring buffer maps. */
    RINGBUF("BPF_MAP_TYPE_RINGBUF", "5.8", false, () -> Features.mapType(MapType.RINGBUF)),
    /** Batch map operations (BPF_MAP_LOOKUP_BATCH and friends) on hash maps. */
    MAP_BATCH("batch map operations", "5.6", false, Features::batchOps),
    /** Run-time statistics of programs (BPF_ENABLE_STATS). */
    ENABLE_STATS("BPF_ENABLE_STATS", "5.8", false, Features::enableStats),
    /** Links created with BPF_LINK_CREATE. */
    LINK_CREATE("BPF_LINK_CREATE", "5.7", false, Features::linkCreate),
    /** Kprobes: perf events of the kprobe PMU. */
    KPROBES("kprobes", "2.6.9", true, () -> Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type"))
            ? Probe.yes("kprobes") : Probe.no("kprobes", 0, "no kprobe PMU: built without CONFIG_KPROBES or CONFIG_KPROBE_EVENTS")),
    /** kprobe.multi links: one link for many kprobes, through fprobe. */
    KPROBE_MULTI("kprobe.multi links", "5.18", true, Features::kprobeMulti),
    /** kprobe session links: one program at a function's entry and its return, through one fprobe. */
    KPROBE_SESSION("kprobe session links", "6.10", true, Features::kprobeSession),
    /** BPF cookies on perf event links and bpf_get_attach_cookie(). */
    BPF_COOKIE("BPF cookies", "5.15", false, () -> Features.helper(ProgType.KPROBE, Helper.GET_ATTACH_COOKIE.id(), "bpf_get_attach_cookie")),
    /** bpf_send_signal_thread(): signal the current thread from a program. */
    SEND_SIGNAL_THREAD("bpf_send_signal_thread", "5.5", false,
            () -> Features.helper(ProgType.KPROBE, Helper.SEND_SIGNAL_THREAD.id(), "bpf_send_signal_thread")),
    /** bpf_get_branch_snapshot(): last branch records from a program. */
    BRANCH_SNAPSHOT("bpf_get_branch_snapshot", "5.16", false,
            () -> Features.helper(ProgType.KPROBE, Helper.GET_BRANCH_SNAPSHOT.id(), "bpf_get_branch_snapshot")),
    /** fentry/fexit and other BTF-typed tracing programs. */
    TRACING("BPF_PROG_TYPE_TRACING", "5.5", false, () -> Features.programType(ProgType.TRACING)),
    /** cpu v4 instructions: sign extension, signed division, byte swaps, gotol. */
    ISA_V4("cpu v4 instructions", "6.6", false, Features::isaV4),
    /** freplace: BPF_PROG_TYPE_EXT programs. */
    EXTENSION("BPF_PROG_TYPE_EXT", "5.6", false, () -> Features.programType(ProgType.EXT));

    private final String title;
    private final String minimumKernel;
    private final boolean configDependent;
    final Supplier<Probe> probe;

    KernelFeature(String title, String minimumKernel, boolean configDependent, Supplier<Probe> probe) {
        this.title = title;
        this.minimumKernel = minimumKernel;
        this.configDependent = configDependent;
        this.probe = probe;
    }

    /** The feature's name in messages, e.g. {@code "kprobe.multi links"}. */
    public String title() {
        return title;
    }

    /** The first Linux release that has it, e.g. {@code "5.18"}. */
    public String minimumKernel() {
        return minimumKernel;
    }

    /** Whether a kernel new enough can still lack it, for want of a build option. */
    public boolean configDependent() {
        return configDependent;
    }
}
