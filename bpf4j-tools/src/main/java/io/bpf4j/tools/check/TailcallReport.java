package io.bpf4j.tools.check;

import java.util.List;
import java.util.Optional;

/**
 * What {@link TailcallCheck} found on one kernel.
 *
 * @param release    {@code uname -r}, as context only: no verdict is derived from it
 * @param jitEnabled {@code net.core.bpf_jit_enable}, or null if unreadable (freplace needs the JIT)
 */
public record TailcallReport(String release, Integer jitEnabled, List<Finding> findings) {
    public TailcallReport {
        findings = List.copyOf(findings);
    }

    public Optional<Finding> find(TailcallIssue issue) {
        return findings.stream().filter(f -> f.issue() == issue).findFirst();
    }

    public long count(Verdict v) {
        return findings.stream().filter(f -> f.verdict() == v).count();
    }
}
