package io.bpf4j.tools.mapdump;

import io.bpf4j.BpfException;
import io.bpf4j.FdInfo;
import io.bpf4j.btf.ValueWriter;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes that hold a map open, from {@code /proc/<pid>/fd} and fdinfo's {@code map_id}:
 * for a ring buffer or perf event array, its readers. bpftool shows the same as "pids" (it
 * finds them with a BPF iterator; /proc needs no program). Processes this one cannot read are
 * skipped.
 */
final class Holders {
    private Holders() {}

    record Holder(int pid, String comm) {}

    static List<Holder> of(int mapId) {
        List<Holder> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                int pid = Integer.parseInt(proc.getFileName().toString());
                if (pid == self) continue;
                if (holds(proc, pid, mapId)) out.add(new Holder(pid, comm(proc)));
            }
        } catch (IOException e) {
            return out;
        }
        out.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return out;
    }

    private static boolean holds(Path proc, int pid, int mapId) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue;
                }
                if (!target.equals("anon_inode:bpf-map")) continue;
                try {
                    if (FdInfo.of(pid, Integer.parseInt(fd.getFileName().toString())).mapId().orElse(-1) == mapId) return true;
                } catch (BpfException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** bpftool's "pids" member: {@code "pids":[{"pid":1,"comm":"x"}]}. */
    static void json(ValueWriter w, List<Holder> hs) {
        w.name("pids");
        w.beginArray();
        for (Holder h : hs) {
            w.beginObject();
            w.name("pid");
            w.signed(h.pid());
            w.name("comm");
            w.string(h.comm());
            w.endObject();
        }
        w.endArray();
    }

    /** bpftool's text form: {@code comm(pid), comm(pid)}. */
    static void text(ValueWriter w, List<Holder> hs) {
        for (int i = 0; i < hs.size(); i++) {
            if (i > 0) w.raw(", ");
            w.raw(hs.get(i).comm()).raw('(').rawSigned(hs.get(i).pid()).raw(')');
        }
    }
}
