package io.bpf4j.tools.scenario;

import io.bpf4j.explain.KernelChange;

/**
 * One line of a scenario's explanation: something observed, what it means and, where a known
 * kernel change decides it, that change and whether this kernel behaved as with or without it.
 *
 * @param topic  short key ({@code "kernel"}, {@code "owner"}, {@code "put"}, {@code "cause"}...)
 * @param text   the sentence, built from observed values only
 * @param change the known change involved, or null
 * @param state  how the change relates to this run
 */
public record Explanation(String topic, String text, KernelChange change, ChangeState state) {
    public Explanation {
        if (topic == null || text == null || state == null) throw new IllegalArgumentException("explanation: topic, text and state are required");
        if ((change == null) != (state == ChangeState.NONE))
            throw new IllegalArgumentException("explanation: a change needs a state other than NONE, and NONE needs no change");
    }

    static Explanation fact(String topic, String text) {
        return new Explanation(topic, text, null, ChangeState.NONE);
    }

    /** How a kernel change relates to what the run observed. */
    public enum ChangeState {
        /** No change named. */
        NONE("-"),
        /** The kernel behaved as without the change. */
        ABSENT("absent"),
        /** The kernel behaved as with the change. */
        PRESENT("present"),
        /** The observed objects do not meet the change's condition, so the run says nothing about it. */
        NOT_INVOLVED("not involved");

        private final String label;

        ChangeState(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
