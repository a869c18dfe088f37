package io.bpf4j.cli.top;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --interval} values: {@code 1s}, {@code 500ms}, {@code 2.5s}, {@code 1m}; a bare number is seconds. */
final class Interval {
    private Interval() {}

    static final long MIN_NS = 100_000_000L, MAX_NS = 3_600_000_000_000L;
    private static final Pattern FORM = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)(ms|s|m)?");

    /** Nanoseconds; an IllegalArgumentException whose message is the one line to show. */
    static long parse(String value) {
        Matcher m = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches())
            throw new IllegalArgumentException("--interval: '" + value + "' is not a duration like 1s, 500ms, 2.5s or 1m");
        String unit = m.group(2) == null ? "s" : m.group(2);
        BigDecimal n = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (unit) {
            case "ms" -> 1_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 1_000_000_000L;
        }));
        if (n.compareTo(BigDecimal.valueOf(MIN_NS)) < 0 || n.compareTo(BigDecimal.valueOf(MAX_NS)) > 0)
            throw new IllegalArgumentException("--interval: '" + value + "' is outside 100ms to 1h");
        return n.longValue();
    }
}
