package io.bpf4j.tools.explain;

import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;

import java.util.List;

/**
 * One failed bpf() call as explain reports it.
 *
 * @param comm      the thread's name
 * @param stopped   whether the thread was stopped at the failure (else the objects may have moved on)
 * @param causes    the rules that fit, first the one whose check the kernel runs first; empty if none
 * @param chain     the kernel functions that returned the error, innermost last, or empty
 */
public record FailedCall(CallEvent event, String comm, boolean stopped, Observation observation, List<Cause> causes,
                         List<String> chain) {
    public FailedCall {
        causes = List.copyOf(causes);
        chain = List.copyOf(chain);
    }
}
