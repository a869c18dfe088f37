package io.bpf4j.explain;

/**
 * A rule's verdict on a failed call: why it failed, in the user's terms, and what to do.
 *
 * @param rule   the rule's id ({@code R-M14}), stable across versions
 * @param text   the cause, naming the user's objects ("map 12 "progs" is owned by ...")
 * @param fix    the fix or workaround
 * @param change the kernel commit that changed this behaviour, or null
 * @param since  where the behaviour applies ("before Linux 6.2"), or null when it is the same on every kernel
 */
public record Cause(String rule, String text, String fix, KernelChange change, String since) {
    public Cause(String rule, String text, String fix) {
        this(rule, text, fix, null, null);
    }

    /** {@code text; fix}, for a one-line hint. */
    public String oneLine() {
        return text + "; " + fix + (change != null ? " (" + change.shortId() + ")" : "");
    }
}
