package io.bpf4j.explain;

import io.bpf4j.BpfCommand;

import java.util.Map;

/**
 * What the rules may know about the running kernel: its release (for messages only), and what
 * its own BTF and sysctls say. -1 (or null) means unknown, and a rule that needs the fact does
 * not match.
 *
 * @param attrSize        sizeof(union bpf_attr) of this kernel (vmlinux BTF)
 * @param attrEnds        per command, the end of the last attr field this kernel's struct has
 *                        (what {@code CHECK_ATTR} lets through)
 * @param maxCommand      the highest bpf_cmd value this kernel has
 * @param maxMapType      the highest bpf_map_type value
 * @param maxProgType     the highest bpf_prog_type value
 * @param maxHelperId     the highest helper id ({@code __BPF_FUNC_MAX_ID - 1})
 * @param unprivilegedBpfDisabled kernel.unprivileged_bpf_disabled
 * @param memlockCharged  whether BPF memory counts against RLIMIT_MEMLOCK (before 5.11)
 * @param jitEnabled      net.core.bpf_jit_enable
 * @param possibleCpus    the kernel's possible CPUs (per-CPU value sizes)
 */
public record KernelFacts(String release, int major, int minor, int attrSize, Map<BpfCommand, Integer> attrEnds,
                          int maxCommand, int maxMapType, int maxProgType, int maxHelperId, int unprivilegedBpfDisabled,
                          Boolean memlockCharged, int jitEnabled, int possibleCpus) {
    public KernelFacts {
        attrEnds = Map.copyOf(attrEnds);
    }

    /** Only a release: every other fact unknown. */
    public static KernelFacts release(String release, int major, int minor) {
        return new KernelFacts(release, major, minor, -1, Map.of(), -1, -1, -1, -1, -1, null, -1, -1);
    }

    public static KernelFacts unknown() {
        return release("unknown", 0, 0);
    }

    /** Whether the release is at least major.minor (for wording only; rules decide on behaviour). */
    public boolean atLeast(int maj, int min) {
        return major > maj || (major == maj && minor >= min);
    }

    /** The end of {@code cmd}'s last attr field on this kernel, or -1. */
    public int attrEnd(BpfCommand cmd) {
        Integer e = attrEnds.get(cmd);
        return e == null ? -1 : e;
    }

    public KernelFacts withAttr(int size, Map<BpfCommand, Integer> ends) {
        return new KernelFacts(release, major, minor, size, ends, maxCommand, maxMapType, maxProgType, maxHelperId,
                unprivilegedBpfDisabled, memlockCharged, jitEnabled, possibleCpus);
    }

    public KernelFacts withMaxima(int cmd, int mapType, int progType, int helperId) {
        return new KernelFacts(release, major, minor, attrSize, attrEnds, cmd, mapType, progType, helperId,
                unprivilegedBpfDisabled, memlockCharged, jitEnabled, possibleCpus);
    }

    public KernelFacts withSysctls(int unprivDisabled, Boolean memlock, int jit, int cpus) {
        return new KernelFacts(release, major, minor, attrSize, attrEnds, maxCommand, maxMapType, maxProgType, maxHelperId,
                unprivDisabled, memlock, jit, cpus);
    }

    @Override
    public String toString() {
        return "Linux " + release;
    }
}
