package io.bpf4j.tools.explain;

import io.bpf4j.BpfException;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Processes;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.bpf4j.internal.sys.Processes.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Runs COMMAND under ptrace and stops each thread right after a failed bpf() call, for as long
 * as the listener looks at it; COMMAND's stdio, signals and exit status stay its own.
 *
 * <p>COMMAND starts as {@code sh -c 'kill -STOP $$; exec "$0" "$@"' COMMAND...} through
 * posix_spawn from the calling thread, which must stay the tracer: ptrace requests are valid only
 * from the thread that attached, and a JDK process reaper would take the stops (kernel/exit.c
 * reports ptrace stops to the tracer's waits). The shell stops itself before exec, so not one
 * instruction of COMMAND runs untraced. Children and threads are followed
 * (PTRACE_O_TRACEFORK/VFORK/CLONE), and a new process is added to the probe's set before it runs.
 *
 * <p>Two ways to find failed calls:
 * <ul>
 * <li>{@link Mode#BPF}: explain.bpf.c's raw tracepoints see every bpf() of the traced processes
 *     and signal a failing thread (SIGURG; SIGSTOP if it blocks SIGURG). The signal's delivery
 *     stop is turned into a private stop: the thread is continued with the signal suppressed, so
 *     no group stop, no SIGCHLD to a parent, nothing for a shell to see. Successful calls never
 *     stop. No residue: if explain dies, its links close and a held SIGURG is ignored.</li>
 * <li>{@link Mode#SECCOMP}: where BPF cannot trace (no privileges, no raw tracepoints), a seccomp
 *     filter that returns SECCOMP_RET_TRACE for bpf() only, installed by making the stopped
 *     shell itself call seccomp(2) (its registers rewritten at a syscall-entry stop). Every bpf()
 *     call then stops twice (seccomp, syscall exit); other syscalls never stop. The filter
 *     cannot be removed, and without a tracer it fails bpf() with ENOSYS
 *     ({@code kernel/seccomp.c:__seccomp_filter()}), so this mode sets PTRACE_O_EXITKILL as
 *     strace does with --seccomp-bpf.</li>
 * </ul>
 */
public final class ProcessTracer {
    /** How failed calls are found: the raw tracepoint's signal (BPF), or a seccomp filter's stops (SECCOMP). */
    public enum Mode { BPF, SECCOMP }

    /** Called on the tracer thread. */
    public interface Listener {
        /** A failed call; its thread is stopped right after it until this returns. */
        void failed(CallEvent e, boolean stopped);

        /** A call that succeeded (reported with --all). */
        default void passed(CallEvent e) {}

        /** One line for the user, about the tracing itself. */
        default void note(String line) {}

        /** A traced process appeared (COMMAND, or a child before it runs). */
        default void process(int tgid) {}
    }

    private final Mode mode;
    private final ExplainProbe probe;
    private final Listener listener;
    private final boolean all;
    private volatile boolean detachRequested;
    private volatile int mainPid;

    /** Known tasks: tid -> tgid. */
    private final Map<Integer, Integer> tasks = new HashMap<>();
    /** Calls the probe reported, not yet matched with their thread's stop. */
    private final Map<Integer, ArrayDeque<CallEvent>> pending = new HashMap<>();
    /** SECCOMP mode: the threads inside a bpf() call (seen at its seccomp or entry stop). */
    private final Set<Integer> inBpf = new HashSet<>();
    private int waker = -1, wakerPipe = -1;
    private long calls, failures;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment status = arena.allocate(JAVA_INT), msg = arena.allocate(JAVA_LONG);
    private final MemorySegment regs = arena.allocate(27 * 8, 8), info = arena.allocate(128, 8),
            attrBuf = arena.allocate(CallEvent.ATTR_COPY, 8);

    /** SECCOMP mode: the filter is not in yet; in; or could not be put in, so every syscall stops. */
    private enum Stage { INJECT, FILTERED, EVERY_SYSCALL }

    private Stage stage;

    public ProcessTracer(Mode mode, ExplainProbe probe, Listener listener, boolean all) {
        this.mode = mode;
        this.probe = probe;
        this.listener = listener;
        this.all = all;
        this.stage = mode == Mode.SECCOMP ? Stage.INJECT : Stage.FILTERED;
        if (mode == Mode.BPF && probe == null) throw new IllegalArgumentException("BPF mode needs the probe");
    }

    public Mode mode() {
        return mode;
    }

    /** bpf() calls seen and failed (SECCOMP mode; the probe counts them in BPF mode). */
    public long[] counts() {
        return new long[] {calls, failures};
    }

    /** The pid of COMMAND's process, once started (0 before). */
    public int pid() {
        return mainPid;
    }

    /**
     * From any thread: detach from every traced task (COMMAND keeps running) and make
     * {@link #run} return. In SECCOMP mode COMMAND's later bpf() calls then fail with ENOSYS.
     */
    public void requestDetach() {
        detachRequested = true;
        int p = wakerPipe;
        if (p >= 0) io.bpf4j.internal.sys.Syscalls.close(p);
    }

    /** The status a shell would give: the exit code, or 128 + the signal that killed it. */
    static int shellStatus(int st) {
        if (exited(st)) return exitStatus(st);
        if (signaled(st)) return 128 + termSig(st);
        return 1;
    }

    /**
     * Runs {@code command} to its end (and its traced descendants to theirs), or until
     * {@link #requestDetach()}. Returns COMMAND's status as a shell would, or -1 after a detach.
     */
    public int run(List<String> command, Map<String, String> env) {
        if (command.isEmpty()) throw new BpfException("explain: no COMMAND to run");
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "kill -STOP $$; exec \"$0\" \"$@\""));
        argv.addAll(command);
        String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        int pid = Processes.spawn("/bin/sh", argv.toArray(String[]::new), envp, new int[0], false);
        if (pid < 0) throw new BpfException("explain: start /bin/sh", -pid, null);
        mainPid = pid;
        try {
            int r = waitFor(pid, WUNTRACED | __WALL);
            if (r < 0) throw new BpfException("explain: wait for " + pid, -r, null);
            int st = status.get(JAVA_INT, 0);
            if (!stopped(st)) return shellStatus(st); // the shell ended before its own stop
            long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC;
            if (mode == Mode.SECCOMP) opts |= PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
            long s = ptrace(PTRACE_SEIZE, pid, 0, opts);
            if (s < 0) {
                kill(pid, SIGCONT);
                throw new BpfException("explain: ptrace seize " + pid, (int) -s, s == -Errno.EPERM
                        ? "ptrace is not allowed here (kernel.yama.ptrace_scope, or a container without CAP_SYS_PTRACE)" : null);
            }
            tasks.put(pid, pid);
            if (probe != null) probe.allow(pid);
            listener.process(pid);
            startWaker();
            kill(pid, SIGCONT);
            return loop(pid);
        } finally {
            stopWaker();
            arena.close();
        }
    }

    private int waitFor(int pid, int options) {
        while (true) {
            int r = Processes.wait(pid, status, options);
            if (r != -Errno.EINTR) return r;
        }
    }

    /** A child of this thread whose exit wakes wait4: it reads a pipe that {@link #requestDetach} closes. */
    private void startWaker() {
        int[] p = Processes.pipe();
        if (p.length < 2) return;
        int w = Processes.spawn("/bin/sh", new String[] {"sh", "-c", "read _"}, new String[0], new int[] {p[0], 0}, true);
        io.bpf4j.internal.sys.Syscalls.close(p[0]);
        if (w < 0) {
            io.bpf4j.internal.sys.Syscalls.close(p[1]);
            return;
        }
        waker = w;
        wakerPipe = p[1];
    }

    private void stopWaker() {
        int p = wakerPipe;
        wakerPipe = -1;
        if (p >= 0) io.bpf4j.internal.sys.Syscalls.close(p);
        if (waker > 0) {
            waitFor(waker, __WALL);
            waker = -1;
        }
    }

    private int loop(int pid) {
        int exit = 1;
        while (!tasks.isEmpty()) {
            if (detachRequested) {
                detachAll();
                return -1;
            }
            int tid = Processes.wait(-1, status, __WALL | __WNOTHREAD);
            if (tid == -Errno.EINTR) continue;
            if (tid < 0) break; // ECHILD: nothing left to wait for
            int st = status.get(JAVA_INT, 0);
            if (tid == waker) {
                waker = -1;
                if (!detachRequested) startWaker();
                continue;
            }
            if (exited(st) || signaled(st)) {
                Integer tgid = tasks.remove(tid);
                pending.remove(tid);
                inBpf.remove(tid);
                if (tid == pid) exit = shellStatus(st);
                if (tgid != null && probe != null && !tasks.containsValue(tgid)) {
                    try {
                        probe.forget(tgid);
                    } catch (BpfException e) {
                        // already gone
                    }
                }
                continue;
            }
            if (!stopped(st)) continue;
            if (!tasks.containsKey(tid)) learn(tid); // a new task's first stop can come before its parent's event
            int sig = stopSig(st), ev = event(st);
            if (stage == Stage.INJECT && sig == (SIGTRAP | 0x80) && syscallOp(tid) == OP_ENTRY) {
                String why = Seccomp.install(tid, regs, status);
                stage = why == null ? Stage.FILTERED : Stage.EVERY_SYSCALL;
                if (why != null) listener.note("explain: no seccomp filter (" + why + "); stopping at every syscall instead");
                resume(tid, 0);
                continue;
            }
            switch (ev) {
                case PTRACE_EVENT_FORK, PTRACE_EVENT_VFORK, PTRACE_EVENT_CLONE -> {
                    ptrace(PTRACE_GETEVENTMSG, tid, 0, msg.address());
                    int child = (int) msg.get(JAVA_LONG, 0);
                    if (!tasks.containsKey(child)) learn(child);
                    resume(tid, 0);
                }
                case PTRACE_EVENT_EXEC -> {
                    // de_thread(): every other thread of this process is gone, and this one has the leader's tid.
                    int tgid = tasks.get(tid);
                    tasks.entrySet().removeIf(t -> t.getValue() == tgid && t.getKey() != tid);
                    resume(tid, 0);
                }
                case PTRACE_EVENT_STOP -> {
                    if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) ptrace(PTRACE_LISTEN, tid, 0, 0);
                    else resume(tid, 0); // a new task's first stop, or our interrupt
                }
                case PTRACE_EVENT_SECCOMP -> {
                    // The filter traces bpf() only: nothing to read before the call (a failure is read at its exit).
                    inBpf.add(tid);
                    ptrace(PTRACE_SYSCALL, tid, 0, 0); // on to the syscall-exit stop
                }
                case 0 -> {
                    if (sig == (SIGTRAP | 0x80)) {
                        syscallStop(tid);
                    } else if (mode == Mode.BPF && (sig == SIGURG || sig == SIGSTOP) && ours(tid, sig)) {
                        resume(tid, 0); // the private stop ends; the signal is suppressed
                    } else {
                        resume(tid, sig); // the process's own signal
                    }
                }
                default -> resume(tid, 0);
            }
        }
        if (probe != null) probe.drain(this::unmatched);
        return exit;
    }

    /**
     * Continues a task. In SECCOMP mode through its next syscall stop while it is inside bpf()
     * (to see the result), before the filter is in, and where there is no filter.
     */
    private void resume(int tid, int sig) {
        boolean syscall = mode == Mode.SECCOMP && (stage != Stage.FILTERED || inBpf.contains(tid));
        ptrace(syscall ? PTRACE_SYSCALL : PTRACE_CONT, tid, 0, sig);
    }

    /** Whether the stop of {@code tid} by {@code sig} is the probe's; if so, the listener sees the call first. */
    private boolean ours(int tid, int sig) {
        probe.drain(this::queue);
        ArrayDeque<CallEvent> q = pending.get(tid);
        if (q == null) return false;
        for (var it = q.iterator(); it.hasNext(); ) {
            CallEvent e = it.next();
            if (e.signal() == sig) {
                it.remove();
                listener.failed(e, true);
                return true;
            }
        }
        return false;
    }

    private void queue(CallEvent e) {
        if (!e.failed() || e.endOfWalk()) {
            listener.passed(e);
        } else if (e.signal() == 0) {
            listener.failed(e, false); // the kernel refused the signal (init), or --all without stops
        } else {
            pending.computeIfAbsent(e.tid(), t -> new ArrayDeque<>()).add(e);
        }
    }

    /** Calls left in the ring buffer at the end, and failures whose stop never came. */
    private void unmatched(CallEvent e) {
        queue(e);
        for (ArrayDeque<CallEvent> q : pending.values()) for (CallEvent x : q) listener.failed(x, false);
        pending.clear();
    }

    // --- SECCOMP mode ---------------------------------------------------------------------------

    static final int OP_ENTRY = 1, OP_EXIT = 2, OP_SECCOMP = 3;

    /** PTRACE_GET_SYSCALL_INFO (5.3) into {@link #info}: its op, or 0. */
    private int syscallOp(int tid) {
        long r = ptrace(PTRACE_GET_SYSCALL_INFO, tid, info.byteSize(), info.address());
        return r <= 0 ? 0 : info.get(JAVA_BYTE, 0);
    }

    /**
     * A syscall stop: the exit of a bpf() call, or without the filter any syscall's entry (bpf()
     * ones are noted). At the exit one PTRACE_GETREGS gives the result and, on x86-64 where the
     * syscall leaves them alone, the arguments; only a failure (or --all) reads the attr: the
     * fewest stops and system calls per call, as this path runs for every bpf() of COMMAND.
     */
    private void syscallStop(int tid) {
        if (!inBpf.remove(tid)) {
            if (stage == Stage.EVERY_SYSCALL && syscallOp(tid) == OP_ENTRY && info.get(JAVA_LONG, 24) == ExplainProbe.nrBpf())
                inBpf.add(tid);
            resume(tid, 0);
            return;
        }
        calls++;
        if (ptrace(PTRACE_GETREGS, tid, 0, regs.address()) < 0) {
            resume(tid, 0);
            return;
        }
        long ret = regs.get(JAVA_LONG, Seccomp.RAX * 8L);
        int cmd = (int) regs.get(JAVA_LONG, Seccomp.RDI * 8L);
        boolean failed = ret < 0 && !(ret == -2 && (cmd == 4 || cmd == 11 || cmd == 12 || cmd == 23 || cmd == 31));
        if (failed || all) {
            long attr = regs.get(JAVA_LONG, Seccomp.RSI * 8L), size = regs.get(JAVA_LONG, Seccomp.RDX * 8L);
            int n = (int) Math.min(Math.max(size, 0), CallEvent.ATTR_COPY);
            byte[] copy = new byte[0];
            if (n > 0 && attr != 0 && Processes.readMemory(tasks.get(tid), attrBuf, attr, n) == n) copy = attrBuf.asSlice(0, n).toArray(JAVA_BYTE);
            CallEvent e = new CallEvent(System.nanoTime(), attr, regs.get(JAVA_LONG, Seccomp.R10 * 8L), regs.get(JAVA_LONG, Seccomp.R8 * 8L),
                    ret, tasks.get(tid), tid, cmd, (int) size, 0, copy);
            if (failed) {
                failures++;
                listener.failed(e, true);
            } else {
                listener.passed(e);
            }
        }
        resume(tid, 0);
    }

    // --- detaching ------------------------------------------------------------------------------

    /**
     * Interrupts every task and detaches it where it stops: a signal of its own is handed back
     * with the detach, a stop of ours is dropped, a job-control stop stays. In BPF mode the
     * processes leave the probe's set first, so no new signal arrives meanwhile.
     */
    private void detachAll() {
        if (probe != null) {
            for (int tgid : new HashSet<>(tasks.values())) {
                try {
                    probe.forget(tgid);
                } catch (BpfException e) {
                    // not in the set
                }
            }
            probe.drain(this::queue);
        }
        for (int tid : tasks.keySet()) ptrace(PTRACE_INTERRUPT, tid, 0, 0);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!tasks.isEmpty() && System.nanoTime() < deadline) {
            int tid = Processes.wait(-1, status, __WALL | __WNOTHREAD | WNOHANG);
            if (tid == 0) {
                Thread.onSpinWait();
                continue;
            }
            if (tid == -Errno.EINTR) continue;
            if (tid < 0) break;
            int st = status.get(JAVA_INT, 0);
            if (tid == waker) {
                waker = -1;
                continue;
            }
            if (!stopped(st)) {
                tasks.remove(tid);
                continue;
            }
            int sig = stopSig(st), ev = event(st);
            int pass = 0;
            if (ev == 0 && sig != (SIGTRAP | 0x80)) {
                boolean mine = mode == Mode.BPF && (sig == SIGURG || sig == SIGSTOP) && pending.containsKey(tid);
                pass = mine ? 0 : sig;
            }
            ptrace(PTRACE_DETACH, tid, 0, pass);
            tasks.remove(tid);
        }
        if (!tasks.isEmpty()) listener.note("explain: " + tasks.size() + " task(s) did not stop to be detached; they are detached when explain exits");
    }

    /** Records a task; a new process joins the probe's set before it runs (it is held in its first stop). */
    private void learn(int tid) {
        int tgid = tgidOf(tid);
        tasks.put(tid, tgid);
        if (tgid == tid) {
            if (probe != null) probe.allow(tid);
            listener.process(tid);
        }
    }

    static int tgidOf(int tid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Integer.toString(tid), "status")))
                if (l.startsWith("Tgid:")) return Integer.parseInt(l.substring(5).trim());
        } catch (IOException | NumberFormatException e) {
            // gone: its own id
        }
        return tid;
    }

}
