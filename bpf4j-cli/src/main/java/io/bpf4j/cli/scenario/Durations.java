package io.bpf4j.cli.scenario;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --duration} values as Go's flag package writes them: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        Matcher m = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 10s, 500ms, 2m or 1h");
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(Math.min(n, 1L << 40));
            case "h" -> Duration.ofHours(Math.min(n, 1L << 30));
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
        return d;
    }
}
