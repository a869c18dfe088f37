package io.bpf4j.cli.top;

import io.bpf4j.tools.top.ProgRate;

import java.util.Comparator;
import java.util.Locale;

/** The orders of bpf4j top, each largest first, ties by program id. */
enum Sort {
    RUNTIME("time spent running, the CPU share", Comparator.comparingLong(ProgRate::runTimeNs)),
    RATE("events per second", Comparator.comparingDouble(ProgRate::eventsPerSecond)),
    AVG("average run time", Comparator.comparingDouble(ProgRate::avgRunTimeNs));

    final String meaning;
    final Comparator<ProgRate> order;

    Sort(String meaning, Comparator<ProgRate> key) {
        this.meaning = meaning;
        this.order = key.reversed().thenComparingInt(ProgRate::id);
    }

    String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    Sort next() {
        return values()[(ordinal() + 1) % values().length];
    }

    /** The value of {@code --sort}, or null. */
    static Sort parse(String s) {
        for (Sort v : values()) if (v.option().equals(s)) return v;
        return null;
    }
}
