package io.bpf4j.cli.support;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the command's options take them: {@code 10s}, {@code 500ms}, {@code 2.5s},
 * {@code 2m}, {@code 1h}; a bare number is seconds. No sign, no exponent, no NaN: a value that
 * is not a plain positive decimal is refused, so {@code -1} or {@code 1e300} never becomes
 * "forever".
 */
public final class Durations {
    private Durations() {}

    private static final Pattern FORM = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)(ms|s|m|h)?");

    /** The longest duration any option takes: a year (the nanoseconds of System.nanoTime arithmetic fit 292). */
    public static final Duration MAX = Duration.ofDays(365);

    /**
     * The duration {@code value} names, between {@code min} and {@code max} inclusive; an
     * IllegalArgumentException whose message is the one line to show otherwise.
     */
    public static Duration parse(String value, Duration min, Duration max) {
        Matcher m = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches())
            throw new IllegalArgumentException("'" + value + "' is not a duration like 10s, 500ms, 2.5s, 2m or 1h");
        String unit = m.group(2) == null ? "s" : m.group(2);
        BigDecimal ns = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (unit) {
            case "ms" -> 1_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 1_000_000_000L;
        }));
        if (ns.compareTo(BigDecimal.valueOf(min.toNanos())) < 0 || ns.compareTo(BigDecimal.valueOf(max.toNanos())) > 0)
            throw new IllegalArgumentException("'" + value + "' is outside " + format(min) + " to " + format(max));
        return Duration.ofNanos(ns.longValue());
    }

    /** {@code 100ms}, {@code 1s}, {@code 1h}, {@code 365d}: the bounds as the messages name them. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) return d.isZero() ? "0s" : ms == 0 ? d.toNanos() + "ns" : ms + "ms";
        if (ms % 86_400_000L == 0 && ms >= 86_400_000L * 2) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0) return ms / 60_000L + "m";
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
    }
}
