package io.bpf4j.cli.support;

/**
 * A usage error a command finds after parsing (an option value that only makes sense together
 * with others, a name that is not known): reported like picocli's own usage errors, in one line
 * {@code bpf4j CMD: message} with exit code 2.
 */
public final class UsageException extends RuntimeException {
    /** A usage error with the one line to show after the command's name. */
    public UsageException(String message) {
        super(message);
    }
}
