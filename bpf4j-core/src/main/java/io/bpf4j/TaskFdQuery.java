package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;

import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What {@code BPF_TASK_FD_QUERY} says about one file descriptor of a task: the program a perf
 * event (kprobe, uprobe, tracepoint) or raw tracepoint link runs, and where it is attached. This
 * is how {@code bpftool perf} finds kprobes attached with {@code PERF_EVENT_IOC_SET_BPF}, which
 * have no link, and perf-event links before 6.6, whose link info is empty. Requires 4.18 and
 * CAP_SYS_ADMIN.
 *
 * @param name        kernel function (kprobe), tracepoint or file (uprobe); empty when the probe
 *                    was made by address
 * @param probeOffset offset from {@code name} (kprobe, uprobe)
 * @param probeAddr   address, for a kprobe made by address
 */
public record TaskFdQuery(int progId, FdType fdType, String name, long probeOffset, long probeAddr) {

    /** enum bpf_task_fd_type, in the kernel's order. */
    public enum FdType {
        RAW_TRACEPOINT, TRACEPOINT, KPROBE, KRETPROBE, UPROBE, URETPROBE, UNKNOWN;

        static FdType of(int v) {
            return v >= 0 && v < UNKNOWN.ordinal() ? values()[v] : UNKNOWN;
        }

        /** Lower case, as bpftool perf prints it: {@code kprobe}, {@code raw_tracepoint}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Queries fd {@code fd} of process {@code pid}. Empty when that fd is not something the
     * kernel can answer for (ENOTSUPP: not a perf event or raw tracepoint link; ENOENT: a perf
     * event without a program, or the task is gone; EBADF: the fd was closed meanwhile).
     */
    public static Optional<TaskFdQuery> of(int pid, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            MemorySegment a = Bpf.attr(Layouts.TaskFdQuery.LAYOUT.byteSize());
            a.set(JAVA_INT, Layouts.TaskFdQuery.PID, pid);
            a.set(JAVA_INT, Layouts.TaskFdQuery.FD, fd);
            a.set(JAVA_LONG, Layouts.TaskFdQuery.BUF, buf.address());
            a.set(JAVA_INT, Layouts.TaskFdQuery.BUF_LEN, (int) buf.byteSize());
            long r = Calls.call(BpfCommand.TASK_FD_QUERY, a);
            // ENOSPC: the name was longer than the buffer; the kernel copied what fits, NUL-terminated.
            if (r < 0 && -r != Errno.ENOSPC) {
                int e = (int) -r;
                if (e == Errno.ENOTSUPP || e == Errno.ENOENT || e == Errno.EBADF) return Optional.empty();
                throw BpfException.of("query fd " + fd + " of pid " + pid, BpfCommand.TASK_FD_QUERY, e);
            }
            int len = a.get(JAVA_INT, Layouts.TaskFdQuery.BUF_LEN);
            String name = len == 0 ? "" : buf.getString(0);
            return Optional.of(new TaskFdQuery(a.get(JAVA_INT, Layouts.TaskFdQuery.PROG_ID),
                    FdType.of(a.get(JAVA_INT, Layouts.TaskFdQuery.FD_TYPE)), name,
                    a.get(JAVA_LONG, Layouts.TaskFdQuery.PROBE_OFFSET), a.get(JAVA_LONG, Layouts.TaskFdQuery.PROBE_ADDR)));
        }
    }
}
