package io.bpf4j.cli.trace;

import io.bpf4j.BpfException;
import io.bpf4j.cli.support.Capabilities;
import io.bpf4j.cli.support.Converters;
import io.bpf4j.cli.support.UsageException;
import io.bpf4j.internal.json.Json;
import io.bpf4j.kernel.Kallsyms;
import io.bpf4j.tools.trace.ArgFilter;
import io.bpf4j.tools.trace.ArgLayout;
import io.bpf4j.tools.trace.AttachMode;
import io.bpf4j.tools.trace.InjectedProbe;
import io.bpf4j.tools.trace.FunctionSelector;
import io.bpf4j.tools.trace.ReaderWarmup;
import io.bpf4j.tools.trace.Session;
import io.bpf4j.tools.trace.SessionFilter;
import io.bpf4j.tools.trace.SessionFormat;
import io.bpf4j.tools.trace.TextBuffer;
import io.bpf4j.tools.trace.TraceOptions;
import io.bpf4j.tools.trace.TraceableFunctions;
import io.bpf4j.tools.trace.Tracer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/** {@code bpf4j trace}: retsnoop-style kernel function tracing by per-thread sessions. */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace kernel functions by per-thread sessions, as retsnoop does. An entry function (-e) starts a",
                "session on its thread, allowed functions (-a) are recorded inside it, and each session that fails",
                "is printed with the deepest error's call stack (-T: the whole call trace too).",
                "Results are classified by the function's BTF return type: void, bool and unsigned never fail,",
                "pointers fail on NULL or an error pointer, signed ints on -4095..-1 (printed -EINVAL).",
                "Runs until Ctrl-C, --duration, or the end of COMMAND (after --).",
                "Needs a kernel that allows kprobes or fentry; elsewhere run it in the kernel lab:",
                "  bpf4j vm run --kernel 6.1 -- bpf4j trace ..."})
public final class TraceCommand implements Callable<Integer> {
    @Option(names = {"-e", "--entry"}, paramLabel = "GLOB", description = {"Entry functions: each call starts a session (glob, 'func [module]' or @file).",
            "bpf:ID, bpf:ID:FUNC_GLOB or bpf:NAME_GLOB: functions of loaded BPF programs (fentry/fexit on the program)."})
    List<String> entry = new ArrayList<>();
    @Option(names = {"-a", "--allow"}, paramLabel = "GLOB", description = "Functions recorded inside a session.")
    List<String> allow = new ArrayList<>();
    @Option(names = {"-d", "--deny"}, paramLabel = "GLOB", description = "Functions never traced (wins over -e and -a).")
    List<String> deny = new ArrayList<>();
    @Option(names = {"-c", "--case"}, paramLabel = "PRESET", description = "A preset of functions: bpf (the bpf syscall and BPF subsystem).")
    List<String> presets = new ArrayList<>();

    static final class Modes {
        @Option(names = "-M", description = "Attach with kprobe.multi (Linux 5.18+ with CONFIG_FPROBE; the default where it works).")
        boolean multi;
        @Option(names = "-K", description = "Attach a kprobe and a kretprobe to each function.")
        boolean kprobe;
        @Option(names = "-F", description = "Attach fentry/fexit programs (needs kernel BTF; real stacks on 5.10).")
        boolean fentry;
    }

    @ArgGroup(exclusive = true)
    Modes modes;

    @Option(names = {"-T", "--trace"}, description = "Print the function call trace table of each reported session.")
    boolean table;
    @Option(names = {"-A", "--capture-args"}, description = {"Capture the arguments of the calls shown, typed by BTF (pointers to structs,",
            "integers and strings followed one level; a map's key and value by its sizes):",
            "registers at entry, what pointers point at read at exit."})
    boolean captureArgs;
    @Option(names = "--args-format", paramLabel = "FORM", description = "compact (default: beside the call), multiline (one per line) or verbose (structs spread out).")
    String argsFormat = "compact";
    @Option(names = "--args-width", paramLabel = "N", description = "Cut each argument's text at N characters (compact, multiline; 0: never). Default: 120.")
    int argsWidth = 120;
    @Option(names = "--args-max-call", paramLabel = "BYTES", description = "Bytes captured per call at most (default 3072, at most 4096).")
    int argsMaxCall = ArgLayout.Limits.DEFAULT.perCall();
    @Option(names = "--args-max-arg", paramLabel = "BYTES", description = "Bytes read per pointer argument at most (default 256, at most 4096).")
    int argsMaxArg = ArgLayout.Limits.DEFAULT.perArg();
    @Option(names = "--filter-arg", paramLabel = "EXPR", description = {"Start a session only when the entry function's arguments match, evaluated in BPF:",
            "'map->map_type == BPF_MAP_TYPE_PROG_ARRAY && key != NULL' (== != < > <= >= & && || ! ( ); -> and . over BTF)."})
    String filterArg;
    @Option(names = {"-J", "--inject"}, paramLabel = "PROBE", description = {"Injected probe, shown in the session where it fires:",
            "kprobe:FUNC[+OFF], kretprobe:FUNC, tp:CATEGORY:NAME, rawtp:NAME."})
    List<String> inject = new ArrayList<>();
    @Option(names = {"-B", "--lbr"}, paramLabel = "SPEC", arity = "0..1", fallbackValue = "any_return",
            description = "Last branch records at the error (Linux 5.16+, a CPU with LBR): any_return (default), any, any_call, cond, call, ...")
    String lbr;
    @Option(names = "--lbr-max", paramLabel = "N", description = "Print at most N branch records per session.")
    int lbrMax;
    @Option(names = {"-S", "--success-stacks"}, description = "Report successful sessions too.")
    boolean success;
    @Option(names = {"-x", "--allow-errors"}, paramLabel = "ERR", description = "Only sessions with one of these errors (EINVAL, -ENOMEM, NULL, any).")
    List<String> allowErrors = new ArrayList<>();
    @Option(names = {"-X", "--deny-errors"}, paramLabel = "ERR", description = "Drop sessions with any of these errors.")
    List<String> denyErrors = new ArrayList<>();
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", converter = Converters.Pid.class, description = "Only these processes.")
    List<Integer> pids = new ArrayList<>();
    @Option(names = {"-P", "--no-pid"}, paramLabel = "PID", converter = Converters.Pid.class, description = "Never these processes.")
    List<Integer> noPids = new ArrayList<>();
    @Option(names = {"-n", "--comm"}, paramLabel = "NAME", description = "Only tasks with this name.")
    List<String> comms = new ArrayList<>();
    @Option(names = {"-N", "--no-comm"}, paramLabel = "NAME", description = "Never tasks with this name.")
    List<String> noComms = new ArrayList<>();
    @Option(names = {"-L", "--longer"}, paramLabel = "MS", converter = Converters.Milliseconds.class, description = "Only sessions lasting at least MS milliseconds.")
    double longerMs;
    @Option(names = "--json", description = "One JSON object per session, one per line.")
    boolean json;
    @Option(names = {"-k", "--kernel"}, paramLabel = "VMLINUX", description = {"vmlinux with DWARF, for file:line in stacks (needs binutils).",
            "Default: $BPF4J_VMLINUX (set by bpf4j vm run), /boot/vmlinux-RELEASE, /usr/lib/debug/boot/vmlinux-RELEASE and",
            "retsnoop's other places, the kernel lab's cache; one of another kernel build is never used."})
    Path vmlinux;
    @Option(names = {"-s", "--symbolize"}, paramLabel = "MODE", arity = "0..1", fallbackValue = "l", defaultValue = "l",
            description = "l: file:line when a DWARF vmlinux is found (default); n: kallsyms only (-sn), as retsnoop.")
    String symbolize;
    @Option(names = "--dry-run", description = "Find the functions and say what would be traced; attach nothing.")
    boolean dryRun;
    @Option(names = {"-v", "--verbose"}, description = "Say which functions matched and why, and which were skipped.")
    boolean verbose;
    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.PositiveSeconds.class, description = "Stop after this long: 10s, 500ms, 2m; a bare number is seconds.")
    double duration;
    @Option(names = "--ringbuf-size", paramLabel = "BYTES", description = "Ring buffer size (power of two; K and M suffixes). Default: 32M.")
    String ringBuf = "32M";
    @Option(names = "--sessions", paramLabel = "N", converter = Converters.PositiveInt.class, description = "Threads that can be in a session at once. Default: 1024.")
    int sessions = 1024;
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "Trace while this command runs (after --).")
    List<String> command = new ArrayList<>();

    /** Messages; sessions reach it as bytes from {@link #text}, one write per batch. */
    PrintStream out = new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16),
            false, java.nio.charset.StandardCharsets.UTF_8), err = System.err;

    @Override
    public Integer call() throws Exception {
        size(ringBuf); // a size no kernel can take is a usage error, found before any kernel work
        // kprobes and perf events need CAP_PERFMON; --dry-run attaches nothing.
        if (!dryRun) Capabilities.self().requireBpf(Capabilities.CAP_PERFMON);
        try {
            return trace();
        } finally {
            out.flush();
        }
    }

    private int trace() throws Exception {
        FunctionSelector sel = new FunctionSelector();
        for (String p : presets) sel.preset(p);
        for (String e : entry) sel.entry(e);
        for (String a : allow) sel.allow(a);
        for (String d : deny) sel.deny(d);
        SessionFilter filter = new SessionFilter(success, Set.copyOf(allowErrors), Set.copyOf(denyErrors), (long) (longerMs * 1e6));
        // Options are checked before any kernel work: a typo costs no attach.
        ArgLayout.Style style = ArgLayout.Style.parse(argsFormat);
        if (argsWidth < 0) throw new BpfException("--args-width " + argsWidth + ": must be 0 or more");
        ArgLayout.Limits limits = captureArgs ? new ArgLayout.Limits(argsMaxCall, argsMaxArg, table) : null;
        ArgFilter argFilter = filterArg == null ? null : ArgFilter.parse(filterArg);
        for (String j : inject) InjectedProbe.parse(j);
        if (lbr != null) io.bpf4j.tools.trace.Lbr.parse(lbr);
        if ((captureArgs || argFilter != null) && !java.nio.file.Files.exists(Path.of("/sys/kernel/btf/vmlinux")))
            throw new BpfException((captureArgs ? "-A" : "--filter-arg") + " needs the kernel's BTF (/sys/kernel/btf/vmlinux: CONFIG_DEBUG_INFO_BTF, Linux 5.4+), which this kernel does not have");
        TraceableFunctions universe = TraceableFunctions.load();
        if (universe.note() != null) err.println("Note: " + universe.note() + ".");
        if (sel.usesSourcePaths()) sel.sources(SourceFiles.of(vmlinux, err));
        FunctionSelector.Selection selection = sel.select(universe);
        for (String w : selection.warnings()) err.println("Warning: " + w + ".");
        TraceOptions opts = TraceOptions.defaults()
                .withMode(modes == null ? null : modes.multi ? AttachMode.MULTI : modes.kprobe ? AttachMode.KPROBE : AttachMode.FENTRY)
                .withRingBufBytes(size(ringBuf))
                .withMaxSessions(sessions)
                .withEmitAll(success)
                .withMinDurationNs((long) (longerMs * 1e6))
                .withDenyTgid((int) ProcessHandle.current().pid())
                .withPids(Set.copyOf(pids), Set.copyOf(noPids))
                .withComms(Set.copyOf(comms), Set.copyOf(noComms))
                .withArgs(limits)
                .withFilter(argFilter)
                .withProbes(inject)
                .withLbr(lbr);
        // For the overhead bench (bench/trace): how -K before 5.15 takes stacks (0, 1, 2; see TraceOptions).
        String stacks = System.getenv("BPF4J_TRACE_STACKS");
        if (stacks != null && stacks.matches("[012]")) opts = opts.withEntryStacks(Integer.parseInt(stacks));
        // For the same bench: BPF4J_TRACE_KPROBE_SESSION=0 attaches -M as an entry and an exit link where sessions exist.
        String session = System.getenv("BPF4J_TRACE_KPROBE_SESSION");
        if (session != null && session.matches("[01]")) opts = opts.withKprobeSession(session.equals("1"));
        if (dryRun || verbose) {
            PrintStream o = dryRun ? out : err;
            o.printf("%d functions (%d entry, %d allowed) of %d traceable%s%n", selection.functions().size(), selection.entryCount(),
                    selection.functions().size() - selection.entryCount(), universe.functions().size(),
                    selection.denied().isEmpty() ? "" : ", " + selection.denied().size() + " denied");
            // What the kernel would be asked for: decided as attach decides, nothing loaded.
            for (String line : io.bpf4j.tools.trace.Tracer.plan(selection, opts)) o.println(line);
            if (verbose) {
                for (FunctionSelector.Selected s : selection.functions())
                    o.printf("  %-5s %-40s by %s%s%n", s.entry() ? "entry" : "allow", s.function(), s.by().origin(),
                            s.function().isClone() ? " (compiler clone of " + s.function().baseName() + ")"
                                    : s.bpf() != null && s.bpf().skip() != null ? " (will be skipped: " + s.bpf().skip() + ")" : "");
                for (String d : selection.denied()) o.println("  deny  " + d);
                for (String j : inject) o.println("  probe " + InjectedProbe.parse(j).label());
            }
            if (dryRun) {
                // The filter and the probes' events are checked against this kernel's BTF and tracefs.
                io.bpf4j.tools.trace.Tracer.functions(selection, opts);
                return 0;
            }
        }
        this.argStyle = style;
        if (!symbolize.equals("l") && !symbolize.equals("n")) throw new BpfException("-s " + symbolize + ": use -s (file:line) or -sn (kallsyms only)");
        // Before attaching: a bad -k fails before any probe goes in, and the DWARF loads while attaching.
        Addr2Line lines = symbolize.equals("n") ? null : Vmlinux.find(vmlinux, err)
                .map(v -> Addr2Line.open(v, err, selection.functions().stream().mapToLong(f -> f.function().address()).toArray())).orElse(null);
        try (lines) {
            return trace(selection, opts, filter, lines);
        }
    }

    private int trace(FunctionSelector.Selection selection, TraceOptions opts, SessionFilter filter, LongFunction<String> lines) throws Exception {
        Tracer tracer;
        try {
            tracer = Tracer.attach(selection, opts);
        } catch (BpfException e) {
            // The lab is the way out when this kernel refused what the tracer needs; not when no
            // entry function could be attached for reasons the message gives with their remedy
            // (e.g. fexit on a syscall entry on 5.10: use -K).
            if (e instanceof Tracer.NoEntryException || e instanceof Tracer.UnsupportedOptionException
                    || e instanceof io.bpf4j.UnsupportedFeatureException) throw e;
            throw new BpfException(e.getMessage() + "; this kernel cannot run the tracer, run it in the kernel lab: bpf4j vm run --kernel 6.1 -- bpf4j trace ...", e);
        }
        Kallsyms ksyms = Kallsyms.load();
        SessionFormat fmt = sessionFormat(ksyms, lines);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop = true;
            try {
                done.await(300, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "bpf4j-trace-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            err.printf("Attached %d functions in %d ms: %s.%n", tracer.attachedCount(), tracer.attachNanos() / 1_000_000, tracer.reason());
            if (!tracer.skipped().isEmpty()) {
                // Every match that could not be attached is named: a glob that silently loses a
                // function is how a trace misses the call that matters.
                err.printf("Skipped %d function%s:%n", tracer.skipped().size(), tracer.skipped().size() == 1 ? "" : "s");
                for (String s : tracer.skipped()) err.println("  " + s);
            }
            // Without file:line, so that made-up addresses never reach addr2line; meanwhile it loads.
            warmUp(tracer, sessionFormat(ksyms, null), filter);
            if (lines instanceof Addr2Line a) awaitLoaded(a);
            return run(tracer, fmt, filter);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    volatile boolean stop;
    ArgLayout.Style argStyle = ArgLayout.Style.COMPACT;

    /** The session format of this command's options, with file:line from {@code lines} (null: none). */
    private SessionFormat sessionFormat(Kallsyms ksyms, LongFunction<String> lines) {
        return new SessionFormat(ksyms, lines).withArgs(argStyle, argsWidth).withLbrMax(lbrMax);
    }

    /**
     * Waits, before saying "Receiving data...", until addr2line has loaded the DWARF: the first
     * session's file:line waits for it, and the reader would otherwise stand still with the
     * ring buffer filling (in the 5.10 lab guest, 9.5 s after a 20,000-lookup workload, then
     * all 20,000 sessions in under a second). Ctrl-C ends the wait.
     */
    private void awaitLoaded(Addr2Line a) throws InterruptedException {
        for (int i = 0; i < 10; i++) if (stop || a.awaitLoaded(100)) return;
        err.println("Note: waiting for addr2line to load " + a.vmlinux() + " (-sn goes without file:line)...");
        err.flush();
        while (!stop && !a.awaitLoaded(100)) {
            // Ctrl-C sets stop; the tracer then detaches without having read a session.
        }
    }

    int run(Tracer tracer, SessionFormat fmt, SessionFilter filter) throws Exception {
        Process child = null;
        long warnedDrops = 0;
        try {
            if (!stop) { // not after a Ctrl-C during the wait for addr2line
                out.println("Receiving data...");
                out.flush();
            }
            if (!command.isEmpty()) {
                try {
                    child = new ProcessBuilder(command).inheritIO().start();
                } catch (java.io.IOException e) {
                    throw new BpfException("run " + String.join(" ", command) + ": " + e.getMessage());
                }
            }
            long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
            java.util.function.Consumer<Session> print = s -> print(s, fmt, filter);
            long nextDropCheck = 0;
            while (!stop && System.nanoTime() < deadline) {
                tracer.poll(print, 100);
                flushText();
                if (child != null && !child.isAlive()) break;
                // The drop counter is a map lookup (a syscall): read it every 100 ms, not per batch.
                // Nothing is hidden: the warning comes within 100 ms, the final count is exact.
                long now = System.nanoTime();
                if (now - nextDropCheck >= 0) {
                    nextDropCheck = now + 100_000_000L;
                    long d = tracer.droppedRecords();
                    if (d > warnedDrops) {
                        err.printf("WARNING! %d records were dropped, you are missing data! Consider increasing --ringbuf-size.%n", d - warnedDrops);
                        warnedDrops = d;
                    }
                }
            }
            tracer.drain(print);
            flushText();
            if (child != null && !child.isAlive()) err.println("Command " + command.getFirst() + " exited with status " + child.exitValue() + ".");
            out.print("\nDetaching...");
            out.flush();
            long t = tracer.detach();
            tracer.drain(print);
            flushText();
            out.printf(" DONE in %d ms.%n", t / 1_000_000);
            Tracer.Stats st = tracer.stats();
            if (st.droppedRecords() > 0) out.println("DROPPED RECORDS: " + st.droppedRecords());
            if (st.sessionsNoSlot() > 0) out.println("SESSIONS NOT TRACED (no free session slot, raise --sessions): " + st.sessionsNoSlot());
            if (st.lostSessions() > 0) out.println("SESSIONS LOST: " + st.lostSessions());
            if (st.missedExits() > 0 || st.kernelMissedReturns() > 0)
                out.println("MISSED RETURNS (sessions ended at the next call, flagged): " + st.missedExits()
                        + (st.kernelMissedReturns() > 0 ? ", kernel kretprobe misses: " + st.kernelMissedReturns() : ""));
            if (st.skippedRuns() > 0)
                out.println("PROBE RUNS THE KERNEL SKIPPED (another BPF program, or a task preempted in a map syscall, held the CPU): "
                        + st.skippedRuns());
            if (verbose) err.printf("%d sessions received; %d calls deeper than the depth limit; %d exits without their entry; "
                            + "%d sessions still open at detach (their entry function had not returned).%n",
                    st.sessions(), st.tooDeep(), st.unmatchedExits(), st.openSessions());
            return 0;
        } finally {
            if (child != null && child.isAlive()) child.destroy();
            tracer.close();
            flushText();
        }
    }

    /**
     * Sessions of one poll are formatted into this buffer (no String per session) and written
     * with one call per batch by {@link #flushText()}.
     */
    final TextBuffer text = new TextBuffer(1 << 16);

    void print(Session s, SessionFormat fmt, SessionFilter filter) {
        if (!filter.test(s)) return;
        format(s, fmt, text);
        if (text.length() >= 1 << 20) flushText(); // a very large batch: keep the buffer bounded
    }

    private void format(Session s, SessionFormat fmt, TextBuffer into) {
        if (json) into.append(Json.write(fmt.json(s))).append('\n');
        else fmt.write(s, table, !table || s.failed(), into);
    }

    /**
     * Formats {@link ReaderWarmup}'s made-up sessions of the traced functions as print does,
     * into a buffer that is thrown away, before "Receiving data": the JIT then compiles the
     * reader while nothing is traced yet. A warm-up that fails only costs its time (and says so
     * with -v): nothing of it is printed or counted.
     */
    private void warmUp(Tracer tracer, SessionFormat fmt, SessionFilter filter) {
        // For the overhead bench (bench/trace): BPF4J_TRACE_WARMUP=N made-up sessions, 0 for none.
        String env = System.getenv("BPF4J_TRACE_WARMUP");
        int sessions = env != null && env.matches("\\d{1,6}") ? Integer.parseInt(env) : ReaderWarmup.SESSIONS;
        if (stop || sessions == 0) return;
        TextBuffer scratch = new TextBuffer(1 << 16);
        long t0 = System.nanoTime();
        try {
            int n = ReaderWarmup.run(tracer.functionTable(), tracer.stacksAtEntry(), sessions, s -> {
                filter.test(s);
                format(s, fmt, scratch);
                scratch.clear();
            }, () -> stop);
            if (verbose) err.printf("Reader warmed up on %d made-up sessions in %d ms.%n", n, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            if (verbose) err.println("Reader warm-up failed (tracing goes on): " + e);
        }
    }

    void flushText() {
        if (text.length() > 0) {
            try {
                text.writeTo(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e); // PrintStream.write(byte[], int, int) does not throw it
            }
            text.clear();
        }
        out.flush();
    }

    static int size(String s) {
        String t = s.strip().toUpperCase(Locale.ROOT);
        long mul = 1;
        if (t.endsWith("K")) mul = 1024;
        else if (t.endsWith("M")) mul = 1024 * 1024;
        if (mul > 1) t = t.substring(0, t.length() - 1);
        long v;
        try {
            v = Long.parseLong(t) * mul;
        } catch (NumberFormatException e) {
            throw new UsageException("--ringbuf-size " + s + ": not a size (e.g. 8M, 512K, 65536)");
        }
        if (v < 4096 || v > (1L << 30) || Long.bitCount(v) != 1)
            throw new UsageException("--ringbuf-size " + s + ": must be a power of two between 4K and 1G");
        return (int) v;
    }

    static Set<String> set(List<String> l) {
        return new HashSet<>(l);
    }
}
