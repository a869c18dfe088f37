package io.bpf4j.tools.check;

/**
 * What a check concluded about one known kernel issue on the running kernel. Only
 * {@link #PRESENT} and {@link #FIXED} claim something about the kernel's code; a check that did
 * not get to observe the deciding step says {@link #COULD_NOT_RUN}, never {@link #FIXED}.
 */
public enum Verdict {
    /** The kernel showed the old behaviour. */
    PRESENT("present"),
    /** The kernel showed the behaviour the fix introduced. */
    FIXED("fixed"),
    /** The kernel lacks what the issue needs (the buggy code path or the feature it lives in). */
    NOT_APPLICABLE("not applicable"),
    /** The deciding step was refused (program type not allowed) or would have been unsafe. */
    COULD_NOT_RUN("could not run"),
    /** The kernel did something neither the old nor the fixed code does; see the evidence. */
    INCONCLUSIVE("inconclusive");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The word printed in tables and JSON ({@code "not applicable"}). */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
