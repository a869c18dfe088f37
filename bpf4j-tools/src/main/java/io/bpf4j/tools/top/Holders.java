package io.bpf4j.tools.top;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which processes hold which programs, from {@code /proc/<pid>/fd} and the {@code prog_id:}
 * line of {@code /proc/<pid>/fdinfo/<fd>}. Program fds ({@code anon_inode:bpf-prog}) and link
 * fds ({@code anon_inode:bpf_link}, whose fdinfo names the link's program) count; a program kept
 * alive only by the kernel (a netlink XDP or tc attachment, a prog array slot, a pin in bpffs or
 * a link nobody holds an fd of) has no holder. Needs root to read other users' fdinfo; a
 * process that exits during the walk is skipped. The same walk finds the holders of
 * BPF_ENABLE_STATS fds ({@code anon_inode:bpf-stats}), which no other interface shows.
 */
public final class Holders {
    private Holders() {}

    static final String PROG_LINK = "anon_inode:bpf-prog", LINK_LINK = "anon_inode:bpf_link", STATS_LINK = "anon_inode:bpf-stats";

    /**
     * What one walk over /proc found.
     *
     * @param programs holders by program id, each process once, in ascending pid order
     * @param stats    processes that hold a BPF_ENABLE_STATS fd (keep run-time stats on)
     */
    public record Scan(Map<Integer, List<Holder>> programs, List<Holder> stats) {}

    public static Scan scan() {
        return scan(Path.of("/proc"));
    }

    static Scan scan(Path proc) {
        Map<Integer, List<Holder>> out = new HashMap<>();
        List<Holder> stats = new ArrayList<>();
        String[] pids = proc.toFile().list();
        if (pids == null) return new Scan(out, stats);
        int[] sorted = new int[pids.length];
        int n = 0;
        for (String p : pids) {
            int pid = pidOf(p);
            if (pid > 0) sorted[n++] = pid;
        }
        java.util.Arrays.sort(sorted, 0, n);
        for (int i = 0; i < n; i++) {
            int pid = sorted[i];
            boolean[] holdsStats = new boolean[1];
            Map<Integer, Boolean> held = heldBy(proc.resolve(Integer.toString(pid)), holdsStats);
            if (held.isEmpty() && !holdsStats[0]) continue;
            String comm = comm(proc.resolve(Integer.toString(pid)).resolve("comm"));
            for (Map.Entry<Integer, Boolean> e : held.entrySet())
                out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Holder(pid, comm, !e.getValue()));
            if (holdsStats[0]) stats.add(new Holder(pid, comm, false));
        }
        return new Scan(out, stats);
    }

    private static int pidOf(String name) {
        if (name.isEmpty() || name.length() > 9) return -1;
        int v = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Program ids one process holds, each with whether it holds a program fd of it; stats[0] if it holds a stats fd. */
    private static Map<Integer, Boolean> heldBy(Path pidDir, boolean[] stats) {
        Map<Integer, Boolean> held = new LinkedHashMap<>();
        String[] fds = pidDir.resolve("fd").toFile().list();
        if (fds == null) return held; // exited, or a kernel thread's fd dir we may not read
        for (String fd : fds) {
            String target;
            try {
                target = Files.readSymbolicLink(pidDir.resolve("fd").resolve(fd)).toString();
            } catch (IOException | UnsupportedOperationException e) {
                continue; // closed meanwhile
            }
            if (target.equals(STATS_LINK)) stats[0] = true;
            boolean prog = target.equals(PROG_LINK);
            if (!prog && !target.equals(LINK_LINK)) continue;
            int id = progId(new File(pidDir.toFile(), "fdinfo/" + fd));
            if (id > 0) held.merge(id, prog, Boolean::logicalOr);
        }
        return held;
    }

    /** The {@code prog_id:} value of an fdinfo file, or -1. */
    static int progId(File fdinfo) {
        String text = read(fdinfo);
        if (text == null) return -1;
        return progIdOf(text);
    }

    static int progIdOf(String fdinfoText) {
        int at = 0;
        while (true) {
            int i = fdinfoText.indexOf("prog_id:", at);
            if (i < 0) return -1;
            if (i == 0 || fdinfoText.charAt(i - 1) == '\n') {
                int j = i + "prog_id:".length();
                while (j < fdinfoText.length() && (fdinfoText.charAt(j) == ' ' || fdinfoText.charAt(j) == '\t')) j++;
                int v = 0, digits = 0;
                while (j < fdinfoText.length() && Character.isDigit(fdinfoText.charAt(j)) && digits < 10) {
                    v = v * 10 + (fdinfoText.charAt(j++) - '0');
                    digits++;
                }
                return digits > 0 ? v : -1;
            }
            at = i + 1;
        }
    }

    private static String comm(Path file) {
        String s = read(file.toFile());
        return s == null ? "?" : s.strip();
    }

    private static String read(File f) {
        try (FileInputStream in = new FileInputStream(f)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
