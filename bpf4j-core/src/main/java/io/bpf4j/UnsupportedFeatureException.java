package io.bpf4j;

/**
 * The running kernel lacks a feature: it is too old, or built without what the feature needs.
 * Decided by probing the kernel ({@code io.bpf4j.features}), never by its version number; the
 * version is named only to tell the user which kernel has it.
 */
public class UnsupportedFeatureException extends BpfException {
    private final String feature;
    private final String minimumKernel;

    /**
     * @param feature       what is missing, e.g. {@code "kprobe.multi links"}
     * @param minimumKernel the first Linux release that has it, e.g. {@code "5.18"}
     * @param detail        what else it needs or what the probe saw, or {@code null}
     */
    public UnsupportedFeatureException(String feature, String minimumKernel, String detail) {
        super(message(feature, minimumKernel, detail));
        this.feature = feature;
        this.minimumKernel = minimumKernel;
    }

    private static String message(String feature, String minimumKernel, String detail) {
        StringBuilder sb = new StringBuilder(feature).append(": not supported by this kernel (requires Linux ").append(minimumKernel);
        if (detail != null && !detail.isEmpty()) sb.append("; ").append(detail);
        return sb.append(')').toString();
    }

    /** What is missing, e.g. {@code "kprobe.multi links"}. */
    public String feature() {
        return feature;
    }

    /** The first Linux release that has the feature, e.g. {@code "5.18"}. */
    public String minimumKernel() {
        return minimumKernel;
    }
}
