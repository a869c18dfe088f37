package io.bpf4j.cli.inspect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.Set;

/**
 * Writes an instant as {@code yyyy-MM-dd'T'HH:mm:ssZ} in the system's time zone, the text
 * {@code DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ").withZone(ZoneId.systemDefault())}
 * gives, without java.time on the common path: loading the zone database and the formatter
 * cost a cold JVM ~10 ms and 1,000 formats another 4 ms, a quarter of what `inspect prog` may
 * take in all (bench/inspect). On a machine whose zone is UTC (servers, containers, VMs) no
 * zone rules are loaded; elsewhere the offset of each instant comes from the zone's rules.
 */
final class WallClock {
    /** Zone ids that are UTC at every instant, as /etc/localtime links and TZ values name them. */
    private static final Set<String> UTC_IDS = Set.of("UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal",
            "Zulu", "Etc/Zulu", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0",
            "Greenwich", "Etc/Greenwich");

    /** Offsets by instant; null means UTC, known without the zone database. */
    private final ZoneRules rules;

    private WallClock(ZoneRules rules) {
        this.rules = rules;
    }

    /** The system's zone, as the JVM would pick it. */
    static WallClock system() {
        return systemZoneIsUtc() ? new WallClock(null) : new WallClock(ZoneId.systemDefault().getRules());
    }

    /** A given zone (tests compare with java.time's formatter in zones with odd offsets). */
    static WallClock of(ZoneId zone) {
        return new WallClock(zone.getRules());
    }

    /**
     * Whether the JVM's default zone is certainly UTC. It takes user.timezone, else TZ, else the
     * zone /etc/localtime links to (and Debian's /etc/timezone must agree); anything else, or
     * anything unreadable, answers false and the zone database decides.
     */
    static boolean systemZoneIsUtc() {
        String prop = System.getProperty("user.timezone");
        if (prop != null && !prop.isEmpty()) return UTC_IDS.contains(prop);
        String tz = System.getenv("TZ");
        if (tz != null) return UTC_IDS.contains(tz.startsWith(":") ? tz.substring(1) : tz);
        try {
            Path etcTimezone = Path.of("/etc/timezone");
            if (Files.exists(etcTimezone) && !UTC_IDS.contains(Files.readString(etcTimezone).trim())) return false;
            String link = Files.readSymbolicLink(Path.of("/etc/localtime")).toString();
            int z = link.indexOf("zoneinfo/");
            return z >= 0 && UTC_IDS.contains(link.substring(z + "zoneinfo/".length()));
        } catch (Exception e) {
            return false;
        }
    }

    /** The instant {@code epochSecond} as text, e.g. {@code 2026-11-27T19:58:38+0000}. */
    String format(long epochSecond) {
        int offset = rules == null ? 0 : rules.getOffset(Instant.ofEpochSecond(epochSecond)).getTotalSeconds();
        long local = epochSecond + offset;
        long days = Math.floorDiv(local, 86_400L);
        int secOfDay = (int) Math.floorMod(local, 86_400L);
        // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder sb = new StringBuilder(24);
        if (year > 9999) sb.append('+'); // as java.time writes years past four digits
        pad(sb, year, 4);
        sb.append('-');
        pad(sb, month, 2);
        sb.append('-');
        pad(sb, day, 2);
        sb.append('T');
        pad(sb, secOfDay / 3600, 2);
        sb.append(':');
        pad(sb, secOfDay / 60 % 60, 2);
        sb.append(':');
        pad(sb, secOfDay % 60, 2);
        // Pattern letter Z: +HHMM, seconds of an offset not shown.
        sb.append(offset < 0 ? '-' : '+');
        int abs = Math.abs(offset);
        pad(sb, abs / 3600, 2);
        pad(sb, abs / 60 % 60, 2);
        return sb.toString();
    }

    private static void pad(StringBuilder sb, long v, int width) {
        if (width == 2 && v >= 0 && v < 100) {
            sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
            return;
        }
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) digits++;
        for (int i = digits; i < width; i++) sb.append('0');
        sb.append(v);
    }
}
