package io.bpf4j.tools.explain;

import io.bpf4j.BpfCommand;
import io.bpf4j.BpfException;
import io.bpf4j.Fd;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.FdResolver;
import io.bpf4j.explain.Gatherer;
import io.bpf4j.explain.KernelFacts;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.Probe;
import io.bpf4j.explain.VerifierReport;
import io.bpf4j.explain.rules.KnowledgeBase;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Processes;
import io.bpf4j.internal.sys.Syscalls;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bpf4j explain -- COMMAND}: runs COMMAND, and for every bpf() call of it (and of its
 * threads and children) that fails, prints the call decoded, the objects its fds named at that
 * moment, the verifier's reason for a refused program (loading it again with a log when the loader
 * asked for none), the kernel's error path where the kernel lets BPF trace it, and the cause the
 * knowledge base finds, with its fix. COMMAND's output and exit status pass through unchanged;
 * explain writes only to its own stream (stderr by default).
 */
public final class Explain implements AutoCloseable {
    /** How failed calls are found: raw tracepoints where the kernel allows, else ptrace with a seccomp filter. */
    public enum Backend { AUTO, BPF, SECCOMP }

    /** The kernel chain: where kprobes can trace kernel/bpf, by default. */
    public enum Chain { AUTO, ON, OFF }

    /** What to print (--all, --json), whether to add the kernel chain, and how to find failed calls. */
    public record Options(boolean all, boolean json, Chain chain, Backend backend) {
        public static Options defaults() {
            return new Options(false, false, Chain.AUTO, Backend.AUTO);
        }
    }

    private final Options options;
    private final PrintStream out;
    private final KernelFacts kernel;
    private ExplainProbe probe;
    private KernelChain chain;
    private volatile ProcessTracer tracer;
    private final Map<Integer, Integer> pidfds = new HashMap<>();
    /** Why there is no kernel chain, said once with the first failure (a passing COMMAND gets only the summary). */
    private String chainNote;
    /** Why the raw tracepoints are not used, said in the summary. */
    private String backendNote = "";
    private int failed, explained, notFound;
    private volatile int interrupts;

    public Explain(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.kernel = Probe.kernel(true);
    }

    private ProcessTracer.Mode mode;

    /** The backend that will run, chosen now (attaching the probe where it is the raw tracepoints); once. */
    public ProcessTracer.Mode prepare() {
        if (mode != null) return mode;
        if (options.backend() != Backend.SECCOMP) {
            try {
                probe = ExplainProbe.attach(options.all());
            } catch (BpfException e) {
                if (options.backend() == Backend.BPF) throw new BpfException("explain: the raw tracepoints on syscalls were refused: " + e.getMessage(), e);
                backendNote = ": BPF cannot trace bpf() here (" + e.getMessage() + ")";
            }
        }
        if (options.chain() != Chain.OFF) {
            try {
                chain = KernelChain.attach();
                if ("1".equals(System.getenv("BPF4J_DEBUG"))) note("explain: kernel chain: " + chain.attached());
            } catch (BpfException e) {
                chainNote = "explain: no kernel chain: " + e.getMessage();
            }
        }
        return mode = probe != null ? ProcessTracer.Mode.BPF : ProcessTracer.Mode.SECCOMP;
    }

    /** Runs COMMAND and returns its status (as a shell gives it), or 130 after a detach on Ctrl-C. */
    public int run(List<String> command) {
        ProcessTracer.Mode mode = prepare();
        tracer = new ProcessTracer(mode, probe, new Listener(), options.all());
        int status = tracer.run(command, System.getenv());
        long[] counts = probe != null ? probe.counts() : tracer.counts();
        StringBuilder s = new StringBuilder("explain: ");
        s.append(counts[0]).append(" bpf() call").append(counts[0] == 1 ? "" : "s").append(", ").append(failed).append(" failed");
        if (failed > 0) s.append(" (").append(explained).append(" explained)");
        if (notFound > 0) s.append(", ").append(notFound).append(" lookup").append(notFound == 1 ? "" : "s").append(" of a missing key not shown");
        if (probe != null && counts.length > 2 && counts[2] > 0) s.append(", ").append(counts[2]).append(" not stopped (ring buffer full)");
        s.append("; ");
        if (status < 0) s.append("detached, COMMAND (pid ").append(tracer.pid()).append(") runs on");
        else s.append("COMMAND exited with ").append(status);
        if (mode == ProcessTracer.Mode.SECCOMP) s.append(" [ptrace+seccomp").append(backendNote).append(']');
        note(s.toString());
        return status < 0 ? 128 + Processes.SIGINT : status;
    }

    /** Ctrl-C: the first is COMMAND's to handle (the terminal sent it SIGINT too); the second detaches. */
    public void interrupt() {
        int n = ++interrupts;
        ProcessTracer t = tracer;
        if (t == null) return;
        if (n == 1) {
            note("explain: interrupted; waiting for COMMAND to exit (Ctrl-C again detaches and leaves it running)");
        } else {
            if (t.mode() == ProcessTracer.Mode.SECCOMP)
                note("explain: detaching; COMMAND keeps running, but its bpf() calls now fail with ENOSYS (seccomp filter without a tracer)");
            t.requestDetach();
        }
    }

    /** SIGTERM, SIGHUP: detach at once. */
    public void terminate() {
        ProcessTracer t = tracer;
        if (t != null) t.requestDetach();
    }

    private synchronized void note(String line) {
        out.print(line + "\n");
        out.flush();
    }

    private synchronized void print(String text) {
        out.print(text);
        out.flush();
    }

    static String comm(int tid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(tid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** A pidfd of the process, opened once; -1 where pidfd_open is missing (before 5.3) or refused. */
    private int pidfd(int tgid) {
        return pidfds.computeIfAbsent(tgid, Processes::pidfdOpen);
    }

    private Fd duplicate(int tgid, int fd) {
        int pfd = pidfd(tgid);
        if (pfd < 0) return null;
        int d = Processes.pidfdGetfd(pfd, fd);
        return d < 0 ? null : Fd.adopt(d, "pidfd_getfd");
    }

    /** Everything about a failed call, gathered while its thread is stopped. */
    FailedCall examine(CallEvent e, boolean stopped) {
        int tgid = e.tgid();
        FdResolver fds = new FdResolver(tgid, fd -> duplicate(tgid, fd), FdResolver.Registry.NONE);
        Gatherer.Memory mem = Gatherer.Memory.of(tgid);
        Gatherer g = new Gatherer(fds, mem, kernel, Probe.process(e.tid()));
        BpfCall call = e.call();
        int want = (int) Math.min(Integer.toUnsignedLong(e.size()), CallEvent.ATTR_COPY);
        if (e.attr().length < want && e.attrAddress() != 0) {
            // Not copied at entry (a short attr at the end of a mapping): the thread is stopped right after the call.
            byte[] a = stopped ? mem.read(e.attrAddress(), want) : null;
            if (a != null) call = BpfCall.of(Integer.toUnsignedLong(e.rawCmd()), e.attrAddress(), a, Integer.toUnsignedLong(e.size()));
        }
        Observation.Builder b = g.gather(call, e.errno(), e.tid());
        if (call.attrBytes().length == 0 && call.size() > 0) b.unreadable("attr");
        if (call.is(BpfCommand.PROG_LOAD)) verifier(call, e, fds, mem, b);
        Observation o = b.build();
        List<Cause> causes = KnowledgeBase.explain(o);
        List<String> ch = chain != null ? chain.errorPath(e) : List.of();
        return new FailedCall(e, comm(e.tid()), stopped, o, causes, ch);
    }

    /** The loader's own log if it asked for one, else a re-run with a log; and log_true_size for ENOSPC. */
    private void verifier(BpfCall call, CallEvent e, FdResolver fds, Gatherer.Memory mem, Observation.Builder b) {
        int errno = e.errno();
        if (errno == Errno.ENOSPC && call.size() >= 144) {
            byte[] after = mem.read(call.attrAddress() + 140, 4);
            if (after != null) b.fact(Fact.LOG_TRUE_SIZE, (after[0] & 0xff) | (after[1] & 0xff) << 8 | (after[2] & 0xff) << 16 | after[3] << 24);
        }
        if (errno != Errno.EACCES && errno != Errno.EINVAL && errno != Errno.E2BIG && errno != Errno.EBADF && errno != Errno.ENOENT
                && errno != Errno.ESRCH) return;
        int level = call.u32("log_level");
        long buf = call.get("log_buf");
        int size = call.u32("log_size");
        if (level != 0 && buf != 0 && size > 0) {
            byte[] log = mem.read(buf, Math.min(size, 16 << 20));
            if (log != null) {
                int n = 0;
                while (n < log.length && log[n] != 0) n++;
                VerifierReport v = VerifierReport.ofLog(new String(log, 0, n, StandardCharsets.UTF_8));
                if (!v.log().isBlank() && !v.reason().isEmpty()) {
                    b.verifier(v);
                    return;
                }
            }
        }
        VerifierReport v = new Reverifier(fds, mem).reverify(call);
        if (v != null) b.verifier(v);
    }

    /**
     * ENOENT from a lookup or delete of a key that is not in a hash-like map: "not found", the
     * normal way to ask; shown only with --all. An array index out of range is shown (the same
     * index in an update would be E2BIG).
     */
    static boolean notFound(FailedCall f) {
        CallEvent e = f.event();
        if (e.errno() != Errno.ENOENT) return false;
        BpfCall c = e.call();
        if (!c.is(BpfCommand.MAP_LOOKUP_ELEM) && !c.is(BpfCommand.MAP_DELETE_ELEM) && !c.is(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM)) return false;
        return f.observation().map("map_fd").map(m -> {
            io.bpf4j.MapType t = m.type() < 0 ? null : io.bpf4j.MapType.of(m.type());
            return t != io.bpf4j.MapType.ARRAY && t != io.bpf4j.MapType.PERCPU_ARRAY && t != io.bpf4j.MapType.PROG_ARRAY
                    && t != io.bpf4j.MapType.ARRAY_OF_MAPS;
        }).orElse(false);
    }

    private final class Listener implements ProcessTracer.Listener {
        @Override
        public void failed(CallEvent e, boolean stopped) {
            FailedCall f;
            try {
                f = examine(e, stopped);
            } catch (RuntimeException x) {
                note("explain: [pid " + e.tgid() + "] " + e.call() + " " + Report.result(e) + " (could not examine it: " + x.getMessage() + ")");
                failed++;
                return;
            }
            if (notFound(f)) {
                notFound++;
                if (options.all()) print(options.json() ? Report.json(f) : Report.text(f));
                return;
            }
            failed++;
            if (!f.causes().isEmpty()) explained++;
            if (chainNote != null) {
                Explain.this.note(chainNote);
                chainNote = null;
            }
            print(options.json() ? Report.json(f) : Report.text(f));
        }

        @Override
        public void passed(CallEvent e) {
            if (!options.all()) return;
            print(options.json() ? Report.json(e, comm(e.tid())) : Report.passed(e, comm(e.tid())));
        }

        @Override
        public void note(String line) {
            Explain.this.note(line);
        }

        @Override
        public void process(int tgid) {
            if (chain != null) chain.allow(tgid);
        }
    }

    @Override
    public void close() {
        for (int fd : pidfds.values()) if (fd >= 0) Syscalls.close(fd);
        pidfds.clear();
        RuntimeException first = null;
        if (chain != null) {
            try {
                chain.close();
            } catch (RuntimeException e) {
                first = e;
            }
            chain = null;
        }
        if (probe != null) {
            try {
                probe.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
            probe = null;
        }
        if (first != null) throw first;
    }
}
