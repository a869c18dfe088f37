package io.bpf4j;

import io.bpf4j.sys.Fd;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * {@code /proc/<pid>/fdinfo/<fd>} of a BPF object: the only interface that shows a prog
 * array's owner ({@code owner_prog_type}, {@code owner_jited}, printed by
 * bpf_map_show_fdinfo() once a program claimed the map), plus memlock and frozen.
 */
public record FdInfo(Map<String, String> fields) {

    /** Reads this process's fdinfo for an fd. */
    public static FdInfo of(Fd fd) {
        return read("/proc/self/fdinfo/" + fd.raw());
    }

    /** Reads any process's fdinfo (needs ptrace-read access to it). */
    public static FdInfo of(int pid, int fd) {
        return read("/proc/" + pid + "/fdinfo/" + fd);
    }

    // A plain stream, not java.nio.file, and parsed from the bytes: inspect reads one of these
    // per object, and on a cold JVM the lighter path is measurably cheaper (bench/inspect).
    static FdInfo read(String path) {
        try (FileInputStream in = new FileInputStream(path)) {
            byte[] buf = new byte[1024];
            int n = 0;
            for (int r; (r = in.read(buf, n, buf.length - n)) >= 0; ) {
                n += r;
                if (n == buf.length) buf = Arrays.copyOf(buf, n * 2);
            }
            return parse(buf, n);
        } catch (FileNotFoundException e) {
            throw new BpfException("read " + path + ": no such fd");
        } catch (IOException e) {
            throw new BpfException("read " + path + ": " + e.getMessage());
        }
    }

    /** Parses {@code key:\tvalue} lines; later duplicates win, lines without ':' are ignored. */
    public static FdInfo parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return parse(b, b.length);
    }

    static FdInfo parse(byte[] b, int n) {
        Map<String, String> m = new LinkedHashMap<>();
        int start = 0;
        while (start < n) {
            int end = start, colon = -1;
            for (; end < n && b[end] != '\n'; end++) if (colon < 0 && b[end] == ':') colon = end;
            if (colon > start) m.put(trimmed(b, start, colon), trimmed(b, colon + 1, end));
            start = end + 1;
        }
        return new FdInfo(Collections.unmodifiableMap(m));
    }

    /** The bytes from..to as text, without leading and trailing blanks (as String.trim). */
    private static String trimmed(byte[] b, int from, int to) {
        while (from < to && (b[from] & 0xff) <= ' ') from++;
        while (to > from && (b[to - 1] & 0xff) <= ' ') to--;
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    public String get(String key) {
        return fields.get(key);
    }

    public OptionalLong number(String key) {
        String v = fields.get(key);
        if (v == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private OptionalInt integer(String key) {
        OptionalLong l = number(key);
        return l.isPresent() ? OptionalInt.of((int) l.getAsLong()) : OptionalInt.empty();
    }

    /** The prog array's owner type number; empty while no program has claimed the map. */
    public OptionalInt ownerProgType() {
        return integer("owner_prog_type");
    }

    /** {@code BPF_PROG_TYPE_EXT} style name of the owner, or null when unowned. */
    public String ownerProgTypeName() {
        OptionalInt t = ownerProgType();
        return t.isPresent() ? ProgType.nameOf(t.getAsInt()) : null;
    }

    /** Whether the owner was JITed; null when unowned. */
    public Boolean ownerJited() {
        OptionalInt j = integer("owner_jited");
        return j.isPresent() ? j.getAsInt() != 0 : null;
    }

    public OptionalLong memlock() {
        return number("memlock");
    }

    public boolean frozen() {
        return number("frozen").orElse(0) != 0;
    }

    public OptionalInt mapId() {
        return integer("map_id");
    }

    public OptionalInt progId() {
        return integer("prog_id");
    }

    public OptionalInt linkId() {
        return integer("link_id");
    }
}
