package io.bpf4j.tools.scenario;

import java.util.List;

/**
 * One step of a scenario and what the kernel answered, reported as it happens.
 *
 * @param number   the step's number in the scenario's description (several actions may share one)
 * @param action   what was attempted, e.g. {@code "put k_tailcall (prog 12) in progs[0]"}
 * @param ok       whether the kernel accepted it
 * @param errno    the errno name the kernel returned ({@code "EINVAL"}), empty when ok or not a syscall
 * @param message  the result line: what was created, or the one-line error
 * @param log      the tail of the verifier log when a load failed, else empty
 */
public record Step(int number, String action, boolean ok, String errno, String message, List<String> log) {
    public Step {
        errno = errno == null ? "" : errno;
        message = message == null ? "" : message;
        log = log == null ? List.of() : List.copyOf(log);
    }

    static Step ok(int number, String action, String message) {
        return new Step(number, action, true, "", message, List.of());
    }
}
