package io.bpf4j.features;

import io.bpf4j.internal.sys.Errno;

/**
 * The answer of one feature probe, as bpftool's {@code feature probe} gives it: supported, not
 * supported, or could not tell (with the errno that made it ambiguous, e.g. EPERM by policy).
 */
public record Probe(String feature, Verdict verdict, int errno, String detail) {
    /** Supported, not supported, or could not tell (the probe was refused for another reason). */
    public enum Verdict { SUPPORTED, NOT_SUPPORTED, UNKNOWN }

    static Probe yes(String feature) {
        return new Probe(feature, Verdict.SUPPORTED, 0, "");
    }

    static Probe no(String feature, int errno, String detail) {
        return new Probe(feature, Verdict.NOT_SUPPORTED, errno, detail);
    }

    static Probe unknown(String feature, int errno, String detail) {
        return new Probe(feature, Verdict.UNKNOWN, errno, detail);
    }

    public boolean supported() {
        return verdict == Verdict.SUPPORTED;
    }

    /** {@code "BPF_PROG_TYPE_XDP: supported"} / {@code "...: could not tell (EPERM: ...)"}. */
    @Override
    public String toString() {
        return switch (verdict) {
            case SUPPORTED -> feature + ": supported";
            case NOT_SUPPORTED -> feature + ": not supported" + (errno != 0 ? " (" + Errno.name(errno) + ")" : "");
            case UNKNOWN -> feature + ": could not tell (" + Errno.name(errno) + (detail.isEmpty() ? "" : ": " + detail) + ")";
        };
    }
}
