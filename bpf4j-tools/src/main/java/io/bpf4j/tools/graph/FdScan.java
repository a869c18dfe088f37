package io.bpf4j.tools.graph;

import io.bpf4j.BpfException;
import io.bpf4j.FdInfo;
import io.bpf4j.TaskFdQuery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which processes hold BPF objects, read from {@code /proc/<pid>/fd} and fdinfo, and what their
 * perf event fds run ({@code BPF_TASK_FD_QUERY}): the only record of a kprobe attached with
 * {@code PERF_EVENT_IOC_SET_BPF} (no link, 5.10's way) and of where a perf-event link points
 * before 6.6. Processes that exit or close an fd during the scan are skipped.
 */
final class FdScan {
    /** What an fd refers to. */
    enum What { PROG, MAP, LINK, PERF_EVENT }

    /**
     * One BPF fd of a process.
     *
     * @param id    program, map or link id; for a perf event the program it runs
     * @param query a perf event's {@code BPF_TASK_FD_QUERY} answer, else null
     */
    record Held(int pid, String comm, int fd, What what, int id, TaskFdQuery query) {
        String holder() {
            return comm + "[" + pid + "] fd " + fd;
        }
    }

    private FdScan() {}

    /** Every BPF-related fd of every process this one may read, in pid then fd order. */
    static List<Held> scan() {
        List<Held> out = new ArrayList<>();
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) pids.add(Integer.parseInt(n));
            }
        } catch (IOException e) {
            return out;
        }
        pids.sort(null);
        for (int pid : pids) scan(pid, out);
        return out;
    }

    private static void scan(int pid, List<Held> out) {
        List<int[]> fds = new ArrayList<>();
        List<What> whats = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : ds) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue;
                }
                What w = switch (target) {
                    case "anon_inode:bpf-prog" -> What.PROG;
                    case "anon_inode:bpf-map" -> What.MAP;
                    case "anon_inode:bpf_link" -> What.LINK;
                    case "anon_inode:[perf_event]" -> What.PERF_EVENT;
                    default -> null;
                };
                if (w == null) continue;
                fds.add(new int[] {Integer.parseInt(p.getFileName().toString())});
                whats.add(w);
            }
        } catch (IOException | SecurityException e) {
            return; // gone, or not ours to read
        }
        if (fds.isEmpty()) return;
        String comm = comm(pid);
        List<Held> mine = new ArrayList<>();
        for (int i = 0; i < fds.size(); i++) {
            int fd = fds.get(i)[0];
            What w = whats.get(i);
            try {
                switch (w) {
                    case PERF_EVENT -> TaskFdQuery.of(pid, fd).filter(q -> q.progId() != 0)
                            .ifPresent(q -> mine.add(new Held(pid, comm, fd, w, q.progId(), q)));
                    case PROG -> FdInfo.of(pid, fd).progId().ifPresent(id -> mine.add(new Held(pid, comm, fd, w, id, null)));
                    case MAP -> FdInfo.of(pid, fd).mapId().ifPresent(id -> mine.add(new Held(pid, comm, fd, w, id, null)));
                    case LINK -> FdInfo.of(pid, fd).linkId().ifPresent(id -> mine.add(new Held(pid, comm, fd, w, id, null)));
                }
            } catch (BpfException e) {
                // the fd was closed or the process exited between listing and reading
            }
        }
        mine.sort(java.util.Comparator.comparingInt(Held::fd));
        out.addAll(mine);
    }

    static String comm(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
