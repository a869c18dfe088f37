package io.bpf4j.cli.support;

import io.bpf4j.BpfException;

/** How the command reports a failure: one line, a stack trace only with {@code BPF4J_DEBUG=1}. */
public final class Errors {
    private Errors() {}

    /** The one-line text of a failure: ours as they are, others with their class name. */
    public static String message(Exception e) {
        if (e instanceof BpfException be) return be.getMessage();
        if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) return String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
