package io.bpf4j.internal;

import io.bpf4j.BpfException;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Owns what a multi-step operation creates and closes it newest first, also when a step fails:
 * the one resource scope of the loader and the tools. A failure while closing does not stop
 * the rest from being closed; the first one is thrown at the end.
 */
public final class Scope implements AutoCloseable {
    private final Deque<AutoCloseable> items = new ArrayDeque<>();

    /** Takes ownership of {@code item} and returns it. */
    public <T extends AutoCloseable> T add(T item) {
        items.push(item);
        return item;
    }

    /** Whether the scope owns nothing (any more). */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!items.isEmpty()) {
            try {
                items.pop().close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException r ? r : new BpfException("close", e);
            }
        }
        if (first != null) throw first;
    }
}
