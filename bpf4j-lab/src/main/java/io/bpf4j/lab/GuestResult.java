package io.bpf4j.lab;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a guest run ended. {@code exitCode} is the command's when {@link Outcome#EXITED}; for the
 * other outcomes it follows timeout(1) and docker run: 124 for a timeout, 125 when the lab
 * itself failed. {@code consoleLog} is kept only when the run failed.
 */
public record GuestResult(Outcome outcome, int exitCode, String release, Duration boot, Duration total,
                          String lastLine, String detail, Path consoleLog) {

    /** How a guest run ended. */
    public enum Outcome {
        /** The command ran and exited (with any code). */
        EXITED,
        /** The kernel panicked. */
        PANIC,
        /** The command did not finish within the time limit. */
        TIMEOUT,
        /** The guest never reached its init's "up" marker. */
        NO_BOOT,
        /** The user interrupted the run (Ctrl-C reached QEMU); exit code 130 as a shell reports SIGINT. */
        INTERRUPTED,
        /** QEMU or the guest init failed (bad option, a module that does not load, a mount). */
        LAB_FAILED
    }

    public boolean ok() {
        return outcome == Outcome.EXITED && exitCode == 0;
    }
}
