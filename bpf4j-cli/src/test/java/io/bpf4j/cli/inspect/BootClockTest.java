package io.bpf4j.cli.inspect;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** loaded_at dates come from the boot time, which must be the same to the millisecond in every run. */
class BootClockTest {
    @Test
    void bootTimeIsStableAndAgreesWithUptime() throws Exception {
        long a = Inspector.bootEpochNanos();
        String up = Files.readString(Path.of("/proc/uptime"));
        long fromUptime = System.currentTimeMillis() * 1_000_000L - (long) (Double.parseDouble(up.substring(0, up.indexOf(' '))) * 1e9);
        long b = Inspector.bootEpochNanos();
        assertTrue(a > 0, "boot time " + a);
        assertTrue(Math.abs(a - b) < 1_000_000, "two readings " + a + " and " + b + " differ by 1 ms or more");
        // /proc/uptime has 10 ms steps, currentTimeMillis 1 ms
        assertTrue(Math.abs(a - fromUptime) < 50_000_000, "boot time " + a + " vs " + fromUptime + " from /proc/uptime");
    }
}
