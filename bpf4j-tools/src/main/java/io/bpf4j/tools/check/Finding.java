package io.bpf4j.tools.check;

import io.bpf4j.explain.KernelChange;
import java.util.List;

/**
 * The verdict on one issue and what the kernel did to earn it.
 *
 * @param evidence the steps and what each returned (errno names, fdinfo owner types), in order
 */
public record Finding(TailcallIssue issue, Verdict verdict, String evidence) {
    public Finding {
        if (issue == null || verdict == null) throw new IllegalArgumentException("finding: issue and verdict are required");
        if (evidence == null || evidence.isBlank()) throw new IllegalArgumentException("finding: evidence is required");
    }

    public List<KernelChange> fixes() {
        return issue.fixes();
    }
}
