package io.bpf4j.cli.support;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The option values the commands share, checked where picocli converts them: a bad value is a
 * usage error (one line, exit 2) before the command does anything. Each converter accepts plain
 * decimal text only: no sign, exponent, NaN or infinity, so a negative count, {@code -1} for
 * "forever" or {@code 1e300} seconds cannot slip through as a huge or endless value.
 */
public final class Converters {
    private Converters() {}

    private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

    static long integer(String value, long min, long max, String what) {
        String t = value.strip();
        if (!DIGITS.matcher(t).matches()) throw new TypeConversionException("'" + value + "' is not " + what);
        long v = Long.parseLong(t);
        if (v < min || v > max) throw new TypeConversionException("'" + value + "' is not " + what + " (" + min + " to " + max + ")");
        return v;
    }

    /** An integer from 1 to 2^31-1: a count, an id, a number of CPUs. */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) integer(value, 1, Integer.MAX_VALUE, "a positive integer");
        }
    }

    /** An integer from 0 to 2^31-1: a count where none is meaningful. */
    public static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) integer(value, 0, Integer.MAX_VALUE, "an integer of 0 or more");
        }
    }

    /** A process id: 1 to the kernel's PID_MAX_LIMIT (4194304, 2^22). */
    public static final class Pid implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) integer(value, 1, 1 << 22, "a process id");
        }
    }

    /** A duration ({@link Durations}) of 1 ms to a year, as a {@link Duration}. */
    public static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value, Duration.ofMillis(1), Durations.MAX);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration ({@link Durations}) of 1 ms to a year, in seconds; for options declared in seconds. */
    public static final class PositiveSeconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return new PositiveDuration().convert(value).toNanos() / 1e9;
        }
    }

    /** Whole seconds from 1 to a year ({@link Durations}: {@code 600}, {@code 10m}). */
    public static final class WholeSeconds implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Duration d = new PositiveDuration().convert(value);
            if (d.toNanos() % 1_000_000_000L != 0 || d.isZero())
                throw new TypeConversionException("'" + value + "' is not a whole number of seconds");
            return d.getSeconds();
        }
    }

    /** Milliseconds, 0 to a year's worth, decimals allowed ({@code 0.5}): a threshold. */
    public static final class Milliseconds implements ITypeConverter<Double> {
        private static final Pattern FORM = Pattern.compile("\\d{1,11}(\\.\\d{1,6})?");

        @Override
        public Double convert(String value) {
            String t = value.strip();
            if (!FORM.matcher(t).matches()) throw new TypeConversionException("'" + value + "' is not a number of milliseconds like 10 or 0.5");
            double ms = Double.parseDouble(t);
            if (ms > Durations.MAX.toMillis()) throw new TypeConversionException("'" + value + "' is more than a year of milliseconds");
            return ms;
        }
    }

    /**
     * A memory size as QEMU's {@code -m} takes it: a number of MiB, or with a K, M, G or T suffix
     * ({@code 2G}, {@code 1536M}); at least 128 MiB (QEMU's default, below which a kernel with
     * the lab's initramfs does not boot) and at most 1 TiB. Returned as QEMU will read it.
     */
    public static final class MemorySize implements ITypeConverter<String> {
        private static final Pattern FORM = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,3})?)([kmgt]?)(i?b)?");

        @Override
        public String convert(String value) {
            var m = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) throw new TypeConversionException("'" + value + "' is not a memory size like 2G or 1536M");
            double mib = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                case "k" -> 1.0 / 1024;
                case "g" -> 1024;
                case "t" -> 1024 * 1024;
                default -> 1;
            };
            if (mib < 128 || mib > 1024 * 1024) throw new TypeConversionException("'" + value + "' is outside 128M to 1T");
            return m.group(1) + (m.group(2).isEmpty() ? "M" : m.group(2).toUpperCase(Locale.ROOT));
        }
    }
}
