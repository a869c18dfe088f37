package io.bpf4j.link;

import io.bpf4j.BpfException;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kprobe events made through tracefs ({@code kprobe_events}), the interface older than the
 * perf kprobe PMU. Needed where the PMU cannot say what is wanted: a kretprobe's
 * {@code maxactive}. The PMU makes kretprobes with the kernel default, num_possible_cpus()
 * instances on a kernel without CONFIG_PREEMPTION (Debian 5.10: 2 in a 2-CPU guest), and a
 * call that finds them all taken by other tasks still in the function is not seen returning.
 *
 * <p>Events live in group {@value #GROUP}, named {@code bpf4j_<pid>_<seq>_<function>}, so
 * {@code kprobe_profile} lines and leftovers of a dead process can be told apart. An event
 * outlives its perf fd: the owner removes it ({@link #remove}) after closing the fd.
 */
public final class KprobeEvents {
    private KprobeEvents() {}

    static final String GROUP = "bpf4j";
    /** The kernel's KRETPROBE_MAXACTIVE_MAX. */
    public static final int MAX_ACTIVE = 4096;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static volatile boolean cleaned;

    /** The tracefs directory that has kprobe_events, or null. */
    static Path root() {
        for (String d : new String[]{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
            Path p = Path.of(d);
            if (Files.exists(p.resolve("kprobe_events"))) return p;
        }
        return null;
    }

    /** Prefix of this process's event names. */
    static String prefix() {
        return GROUP + "_" + ProcessHandle.current().pid() + "_";
    }

    /** An event made by {@link #create}: its name and the perf event fd reading it. */
    record Event(String name, Fd perf) {}

    /**
     * Creates a kprobe ({@code p:}) or a kretprobe with room for {@code maxActive} tasks inside
     * the function at once ({@code r<N>:}), and opens it as a perf tracepoint event.
     */
    static Event create(String func, long offset, boolean ret, int maxActive) {
        Path root = root();
        String what = (ret ? "kretprobe " : "kprobe ") + func;
        if (root == null)
            throw new BpfException("open " + what + " through tracefs", Errno.ENOENT,
                    "no kprobe_events under /sys/kernel/tracing or /sys/kernel/debug/tracing (mount tracefs)");
        if (!cleaned) removeLeftovers(root);
        if (maxActive < 0 || maxActive > MAX_ACTIVE)
            throw new BpfException("open " + what + ": maxactive " + maxActive + " is outside 0.." + MAX_ACTIVE);
        String name = prefix() + SEQ.incrementAndGet() + "_" + sanitize(func);
        if (name.length() > 63) name = name.substring(0, 63);
        String def = (ret ? "r" + (maxActive > 0 ? maxActive : "") : "p") + ":" + GROUP + "/" + name + " " + func
                + (offset != 0 ? "+" + offset : "");
        write(root, def, "open " + what + " through tracefs",
                "no such function, or it cannot be probed (inlined, notrace or blacklisted)");
        try {
            int id = PerfEvents.sysfsInt(root + "/events/" + GROUP + "/" + name + "/id", "kprobe event " + name);
            return new Event(name, PerfEvents.tracepointById(id, "open " + what));
        } catch (RuntimeException e) {
            remove(name);
            throw e;
        }
    }

    /** Removes an event whose perf fds are closed. Errors are returned, not thrown: this runs in close paths. */
    static BpfException remove(String name) {
        Path root = root();
        if (root == null) return null;
        try {
            write(root, "-:" + GROUP + "/" + name, "remove kprobe event " + name, null);
            return null;
        } catch (BpfException e) {
            return e;
        }
    }

    /**
     * Missed hits of this process's events, summed: for a kretprobe, the returns not seen for
     * want of a free instance. 0 where kprobe_profile cannot be read.
     */
    public static long missed() {
        Path root = root();
        if (root == null) return 0;
        String prefix = prefix();
        long sum = 0;
        try {
            for (String line : Files.readAllLines(root.resolve("kprobe_profile"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 3 && f[0].startsWith(prefix)) sum += Long.parseLong(f[2]);
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return sum;
    }

    /** Events a crashed bpf4j process left behind: their probes cost every call of the function. */
    private static synchronized void removeLeftovers(Path root) {
        if (cleaned) return;
        cleaned = true;
        List<String> dead = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(root.resolve("kprobe_events"))) {
                int colon = line.indexOf(':'), sp = line.indexOf(' ');
                if (colon < 0 || sp < colon) continue;
                String ev = line.substring(colon + 1, sp);
                if (!ev.startsWith(GROUP + "/" + GROUP + "_")) continue;
                String name = ev.substring(GROUP.length() + 1);
                String[] parts = name.split("_");
                if (parts.length < 3) continue;
                try {
                    long pid = Long.parseLong(parts[1]);
                    if (ProcessHandle.of(pid).isEmpty()) dead.add(name);
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        } catch (IOException e) {
            return;
        }
        for (String n : dead) remove(n);
    }

    static String sanitize(String func) {
        StringBuilder sb = new StringBuilder(func.length());
        for (int i = 0; i < func.length() && sb.length() < 40; i++) {
            char c = func.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 ? c : '_');
        }
        return sb.toString();
    }

    /** Appends one command to kprobe_events (never truncating it: that would clear every event). */
    private static void write(Path root, String cmd, String op, String hint) {
        try {
            Files.writeString(root.resolve("kprobe_events"), cmd + "\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new BpfException(op, errno(e), hint, e);
        }
    }

    /** The errno behind a failed tracefs write, from the message the JDK made of it. */
    static int errno(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof java.nio.file.NoSuchFileException || m.contains("No such file")) return Errno.ENOENT;
        if (e instanceof java.nio.file.AccessDeniedException || m.contains("Permission denied")) return Errno.EACCES;
        if (m.contains("Invalid argument")) return Errno.EINVAL;
        if (m.contains("File exists")) return Errno.EEXIST;
        if (m.contains("Device or resource busy")) return Errno.EBUSY;
        if (m.contains("Operation not permitted")) return Errno.EPERM;
        if (m.contains("No space")) return Errno.ENOSPC;
        return Errno.EIO;
    }
}
