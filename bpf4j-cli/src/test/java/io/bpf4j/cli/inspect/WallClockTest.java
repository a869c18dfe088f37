package io.bpf4j.cli.inspect;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** WallClock writes what java.time's formatter writes, in zones with DST and odd offsets. */
class WallClockTest {
    static final String PATTERN = "yyyy-MM-dd'T'HH:mm:ssZ";

    @Test
    void matchesJavaTimeFormatterAcrossZonesAndInstants() {
        Random rnd = new Random(42);
        for (String zone : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham",
                "America/Los_Angeles", "Australia/Lord_Howe", "Etc/GMT+12"}) {
            ZoneId z = ZoneId.of(zone);
            DateTimeFormatter f = DateTimeFormatter.ofPattern(PATTERN).withZone(z);
            WallClock w = WallClock.of(z);
            long[] fixed = {0, 1, -1, 86_399, 86_400, 951_782_400L /* 2000-02-29 */, 1_711_846_800L /* DST change, Berlin */,
                    4_102_444_800L /* 2100-01-01 */, 253_402_300_799L /* 9999-12-31T23:59:59Z */};
            for (long s : fixed) assertEquals(f.format(Instant.ofEpochSecond(s)), w.format(s), zone + " at " + s);
            for (int i = 0; i < 2_000; i++) {
                long s = rnd.nextLong(4_102_444_800L);
                assertEquals(f.format(Instant.ofEpochSecond(s)), w.format(s), zone + " at " + s);
            }
        }
    }

    @Test
    void systemClockAgreesWithTheJvmDefaultZone() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern(PATTERN).withZone(ZoneId.systemDefault());
        WallClock w = WallClock.system();
        long now = Instant.now().getEpochSecond();
        for (long s = now - 400L * 86_400; s < now + 400L * 86_400; s += 3_600 * 7 + 11)
            assertEquals(f.format(Instant.ofEpochSecond(s)), w.format(s));
        if (WallClock.systemZoneIsUtc())
            assertEquals(ZoneOffset.UTC, ZoneId.systemDefault().getRules().getOffset(Instant.ofEpochSecond(now)),
                    "the shortcut claims UTC only where the JVM's zone is UTC");
    }
}
