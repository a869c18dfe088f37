package io.bpf4j.explain;

import io.bpf4j.BpfCommand;

import java.util.Optional;
import java.util.Set;

/**
 * One of the kernel's checks, turned around: for a command and an errno, a predicate over an
 * {@link Observation} and the cause it names. A rule answers only when its predicate holds on
 * what was observed; a rule that lacks a fact it needs does not match.
 */
public interface Rule {
    /** The rule's id, e.g. {@code R-M14}. */
    String id();

    /** The commands it applies to; empty for every command. */
    Set<BpfCommand> commands();

    /** The errnos it explains. */
    Set<Integer> errnos();

    /** The cause, when the observation fits this rule. */
    Optional<Cause> explain(Observation o);

    /** Whether command and errno fit, before the predicate. */
    default boolean applies(Observation o) {
        BpfCommand c = o.call().command();
        return errnos().contains(o.errno()) && (commands().isEmpty() || (c != null && commands().contains(c)));
    }
}
