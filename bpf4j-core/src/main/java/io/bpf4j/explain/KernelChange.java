package io.bpf4j.explain;

import java.util.List;

/**
 * One upstream kernel commit that changed BPF behaviour in a way user space can observe: what
 * {@code bpf4j check}, the scenario explanations and {@code bpf4j explain}'s rules cite.
 *
 * @param commit       upstream torvalds/linux hash (12 hex digits or more)
 * @param title        the commit's subject line
 * @param firstRelease first mainline release that contains it, e.g. {@code "v6.2"}
 * @param stable       stable or distribution releases that got a backport, e.g. {@code "6.1.4"}
 * @param symptom      what user space sees on a kernel without it (for a change that tightened a
 *                     check: what it refuses from then on)
 */
public record KernelChange(String commit, String title, String firstRelease, List<String> stable, String symptom) {
    public KernelChange {
        if (commit == null || !commit.matches("[0-9a-f]{12,40}"))
            throw new IllegalArgumentException("kernel change: commit must be 12-40 lowercase hex digits: " + commit);
        stable = List.copyOf(stable);
    }

    /** The 12-digit abbreviation used in kernel {@code Fixes:} tags. */
    public String shortId() {
        return commit.substring(0, 12);
    }

    /** {@code "v6.2, 6.1.4+, 6.0.y"}: where the change first appeared, mainline then each stable line. */
    public String versions() {
        StringBuilder sb = new StringBuilder(firstRelease);
        for (String s : stable) {
            sb.append(", ").append(s);
            if (Character.isDigit(s.charAt(s.length() - 1))) sb.append('+');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return shortId() + " (" + versions() + ")";
    }
}
