package io.bpf4j.cli.support;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class ConvertersTest {
    @Test
    void durationsTakeUnitsDecimalsAndBareSeconds() {
        var d = new Converters.PositiveDuration();
        assertEquals(Duration.ofSeconds(10), d.convert("10s"));
        assertEquals(Duration.ofMillis(500), d.convert("500ms"));
        assertEquals(Duration.ofMillis(2500), d.convert("2.5s"));
        assertEquals(Duration.ofMinutes(2), d.convert("2m"));
        assertEquals(Duration.ofHours(1), d.convert("1h"));
        assertEquals(Duration.ofSeconds(3), d.convert("3"));
        assertEquals(Duration.ofDays(365), d.convert("8760h"));
        for (String bad : new String[] {"", "0s", "0", "-1", "-1s", "10x", "s", "NaN", "Infinity", "1e300", "1e3", "+5",
                "99999999999999999999s", "8761h", "0.0001ms"})
            assertThrows(TypeConversionException.class, () -> d.convert(bad), bad);
    }

    @Test
    void secondsAreTheDurationInSeconds() {
        assertEquals(0.5, new Converters.PositiveSeconds().convert("500ms"));
        assertEquals(90.0, new Converters.PositiveSeconds().convert("1.5m"));
        assertEquals(600L, new Converters.WholeSeconds().convert("10m"));
        assertThrows(TypeConversionException.class, () -> new Converters.WholeSeconds().convert("1.5"));
    }

    @Test
    void integersAreDecimalDigitsInRange() {
        assertEquals(1, new Converters.PositiveInt().convert("1"));
        assertEquals(Integer.MAX_VALUE, new Converters.PositiveInt().convert("2147483647"));
        assertEquals(0, new Converters.NonNegativeInt().convert("0"));
        assertEquals(4194304, new Converters.Pid().convert("4194304"));
        for (String bad : new String[] {"0", "-1", "-5", "+1", "2147483648", "1.0", "0x10", "", "abc"})
            assertThrows(TypeConversionException.class, () -> new Converters.PositiveInt().convert(bad), bad);
        assertThrows(TypeConversionException.class, () -> new Converters.NonNegativeInt().convert("-1"));
        assertThrows(TypeConversionException.class, () -> new Converters.Pid().convert("4194305"));
    }

    @Test
    void millisecondsAreANonNegativeDecimal() {
        assertEquals(0.0, new Converters.Milliseconds().convert("0"));
        assertEquals(2.5, new Converters.Milliseconds().convert("2.5"));
        for (String bad : new String[] {"-3", "NaN", "1e300", "Infinity", "", "99999999999"})
            assertThrows(TypeConversionException.class, () -> new Converters.Milliseconds().convert(bad), bad);
    }

    @Test
    void memorySizesAreWhatQemuReads() {
        var m = new Converters.MemorySize();
        assertEquals("2G", m.convert("2G"));
        assertEquals("2048M", m.convert("2048"));
        assertEquals("1536M", m.convert("1536m"));
        assertEquals("1.5G", m.convert("1.5g"));
        for (String bad : new String[] {"abc", "-1G", "0", "64M", "2X", "", "2 G", "2T0"})
            assertThrows(TypeConversionException.class, () -> m.convert(bad), bad);
    }

    @Test
    void boundsAreNamedAsAUserWritesThem() {
        assertEquals("100ms", Durations.format(Duration.ofMillis(100)));
        assertEquals("1h", Durations.format(Duration.ofHours(1)));
        assertEquals("365d", Durations.format(Durations.MAX));
        assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
    }
}
