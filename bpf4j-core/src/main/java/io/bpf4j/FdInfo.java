package io.bpf4j;

import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code /proc/<pid>/fdinfo/<fd>} of a BPF object: the only interface that shows a prog
 * array's owner ({@code owner_prog_type}, {@code owner_jited}, printed by
 * bpf_map_show_fdinfo() once a program claimed the map), plus memlock and frozen.
 *
 * <p>The text is kept as read and a field is looked up where it is asked for; the map of all
 * fields is built only if {@link #fields()} or {@link #get} is called. `bpf4j inspect` reads
 * one of these per object and wants one to four numbers from each: on a cold JVM, splitting
 * every line into a map was a quarter of its run (issue 2, bench/inspect).
 */
public final class FdInfo {
    private final String text;
    private Map<String, String> fields;

    private FdInfo(String text) {
        this.text = text;
    }

    /** Reads this process's fdinfo for an fd. */
    public static FdInfo of(Fd fd) {
        // The path written straight into the buffer: no string per object; one only for an error.
        int raw = fd.raw();
        MemorySegment s = SCRATCH.get();
        int dir = SelfDir.FD, n = 0;
        if (dir < 0) {
            n = SELF.length;
            MemorySegment.copy(SELF, 0, s, JAVA_BYTE, 0, n);
        }
        int digits = 1;
        for (int v = raw; v >= 10; v /= 10) digits++;
        for (int i = digits - 1, v = raw; i >= 0; i--, v /= 10) s.set(JAVA_BYTE, n + i, (byte) ('0' + v % 10));
        s.set(JAVA_BYTE, n + digits, (byte) 0);
        return read(null, raw, dir, s, s.asSlice(PATH_ROOM));
    }

    private static final byte[] SELF = "/proc/self/fdinfo/".getBytes(StandardCharsets.ISO_8859_1);

    /**
     * /proc/self/fdinfo, opened once on first use and kept for the life of the process, so that an
     * fdinfo is opened by its number alone: openat() then resolves one component instead of
     * walking /proc, following the self link and revalidating the pid's directory each time
     * (`bpf4j inspect` opens one per object). A JVM never runs Java code in a forked child, so
     * the directory is always this process's. -1 if it could not be opened: each read then
     * gives the whole path.
     */
    private static final class SelfDir {
        static final int FD;

        static {
            try (Arena a = Arena.ofConfined()) {
                int fd = Syscalls.open(a.allocateFrom("/proc/self/fdinfo"), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
                FD = fd < 0 ? -1 : fd;
            }
        }
    }

    /** Reads any process's fdinfo (needs ptrace-read access to it). */
    public static FdInfo of(int pid, int fd) {
        return read("/proc/" + pid + "/fdinfo/" + fd);
    }

    /** Room for the path and for the text of any BPF object's fdinfo (a few hundred bytes) in one read. */
    private static final int PATH_ROOM = 64, TEXT_ROOM = 4096;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(PATH_ROOM + TEXT_ROOM, 8));

    /**
     * open, read, close, with bpf(2)'s downcall and a per-thread buffer: `bpf4j inspect` reads one
     * of these per object, and a FileInputStream costs two more system calls (fstat, and a read
     * to see the end), a Cleaner registration and several objects each time. procfs serves an
     * fdinfo as one seq_file record (seq_show() in fs/proc/fd.c): a read that returns less than
     * it asked for has the whole text, and the next one would return 0.
     */
    static FdInfo read(String path) {
        MemorySegment s = SCRATCH.get();
        int n = path.length();
        if (n >= PATH_ROOM) {
            try (Arena a = Arena.ofConfined()) {
                return read(path, -1, Syscalls.AT_FDCWD, a.allocateFrom(path), s.asSlice(PATH_ROOM));
            }
        }
        for (int i = 0; i < n; i++) s.set(JAVA_BYTE, i, (byte) path.charAt(i));
        s.set(JAVA_BYTE, n, (byte) 0);
        return read(path, -1, Syscalls.AT_FDCWD, s, s.asSlice(PATH_ROOM));
    }

    private static final byte[] EMPTY = {};

    /**
     * Reads the file at cPath, relative to the directory fd {@code dir}; {@code path}, or if null
     * this process's fd {@code self}, names it in errors.
     */
    private static FdInfo read(String path, int self, int dir, MemorySegment cPath, MemorySegment buf) {
        int fd = Syscalls.openAt(dir, cPath, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
        if (fd < 0) throw failure(path, self, -fd);
        try {
            byte[] text = EMPTY;
            int n = 0;
            while (true) {
                long r = Syscalls.read(fd, buf, buf.byteSize());
                if (r == -Errno.EINTR) continue;
                if (r < 0) throw failure(path, self, (int) -r);
                if (n + r > text.length) text = Arrays.copyOf(text, Math.max(n + (int) r, 2 * text.length));
                MemorySegment.copy(buf, JAVA_BYTE, 0, text, n, (int) r);
                n += (int) r;
                if (r < buf.byteSize()) break;
            }
            return new FdInfo(new String(text, 0, n, StandardCharsets.ISO_8859_1));
        } finally {
            Syscalls.close(fd);
        }
    }

    private static BpfException failure(String path, int self, int errno) {
        String p = path != null ? path : "/proc/self/fdinfo/" + self;
        return errno == Errno.ENOENT ? new BpfException("read " + p + ": no such fd") : new BpfException("read " + p, errno, null);
    }

    /** Fdinfo text of {@code key:\tvalue} lines; later duplicates win, lines without a key and ':' are ignored. */
    public static FdInfo parse(String text) {
        return new FdInfo(text);
    }

    /** Every field, in the kernel's order. */
    public Map<String, String> fields() {
        Map<String, String> m = fields;
        if (m == null) {
            m = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int c = line.indexOf(':');
                String key = c > 0 ? line.substring(0, c).trim() : "";
                if (key.isEmpty()) continue; // no key: a line of blanks or controls before the ':'
                m.put(key, line.substring(c + 1).trim());
            }
            fields = m = Collections.unmodifiableMap(m);
        }
        return m;
    }

    public String get(String key) {
        return fields().get(key);
    }

    /** The value of the last line whose key is {@code key}, trimmed, or null; no map built. */
    String value(String key) {
        int from = text.length();
        while (from >= 0) {
            int i = text.lastIndexOf(key, from);
            if (i < 0) return null;
            // As the map trims them: blanks may stand before the key and between it and the ':'.
            int before = i - 1, colon = i + key.length();
            while (before >= 0 && text.charAt(before) != '\n' && text.charAt(before) <= ' ') before--;
            while (colon < text.length() && text.charAt(colon) != '\n' && text.charAt(colon) <= ' ') colon++;
            if ((before < 0 || text.charAt(before) == '\n') && colon < text.length() && text.charAt(colon) == ':') {
                int end = text.indexOf('\n', colon);
                return text.substring(colon + 1, end < 0 ? text.length() : end).trim();
            }
            // A longer key ending in this one, or this text inside a value: look further back.
            from = i - 1;
        }
        return null;
    }

    public OptionalLong number(String key) {
        String v = value(key);
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

    @Override
    public boolean equals(Object o) {
        return o instanceof FdInfo f && f.fields().equals(fields());
    }

    @Override
    public int hashCode() {
        return fields().hashCode();
    }

    @Override
    public String toString() {
        return "FdInfo" + fields();
    }
}
