package io.bpf4j.tools.trace;

import io.bpf4j.tools.ToolObjects;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.UnsupportedFeatureException;
import io.bpf4j.features.Features;
import io.bpf4j.features.KernelFeature;
import io.bpf4j.features.Probe;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.link.KprobeEvents;
import io.bpf4j.tools.top.ProgReader;
import io.bpf4j.link.Links;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.LoadOptions;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.ringbuf.RingBufDrops;
import io.bpf4j.ringbuf.RingBufReader;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Attaches trace.bpf.c to the selected functions and turns its records into {@link Session}s.
 * Owns everything it loads and attaches; {@link #close()} detaches and frees it all.
 *
 * <pre>{@code
 * try (Tracer t = Tracer.attach(selection, TraceOptions.defaults(), System.err::println)) {
 *     while (running) t.poll(session -> print(session), 100);
 * }
 * }</pre>
 */
public final class Tracer implements AutoCloseable {
    /** Maps every fentry and injected-probe clone shares with the main object. */
    static final List<String> SHARED_MAPS = List.of("rb", "drops", "stats", "ip_table", "sessions",
            "pid_allow", "pid_deny", "comm_allow", "comm_deny", "fn_args", "args_scratch", "filters", "lbr_scratch", "argv");
    /** trace.bpf.c FN_ARGS, FN_FILTER. */
    static final int FN_ARGS = 32, FN_FILTER = 64;
    static final int MAX_FEXIT_ARGS = 6;
    static final java.util.regex.Pattern SLEEPING_SYSCALL = java.util.regex.Pattern.compile("(__x64_|__ia32_|__se_|__do_|__x32_|__arm64_)?sys_.*|.*_sys_bpf");

    /**
     * Loss counters beyond ring buffer drops. {@code missedExits}: calls whose return was never
     * seen (found when the thread's stack moved past them; their sessions end there, flagged);
     * {@code kernelMissedReturns}: what the kernel itself counted as missed on our tracefs
     * kretprobes (kprobe_profile), 0 where the kretprobes came from the perf PMU;
     * {@code openSessions}: see {@link #openSessions()}; {@code skippedRuns}: see {@link #skippedRuns()}.
     */
    public record Stats(long droppedRecords, long sessionsNoSlot, long tooDeep, long unmatchedExits,
                        long sessions, long lostSessions, long badRecords, long missedExits, long kernelMissedReturns,
                        long openSessions, long skippedRuns) {
        public long totalLost() {
            return droppedRecords + sessionsNoSlot + lostSessions;
        }
    }

    private final TracedFunction[] functions;
    private final AttachMode mode;
    private final String reason;
    private final List<String> skipped;
    private final BpfObject object;
    private final List<BpfObject> clones;
    private final List<BpfLink> links;
    private final RingBufReader reader;
    private final RingBufDrops drops;
    private final long attachNanos;
    private final boolean tracefsKretprobes;
    private final List<BpfProgram> targets;
    private final Lbr lbr;
    private final int entryStacks;
    private SessionAssembler assembler;
    private Consumer<Session> sink = s -> {};
    private boolean detached, closed;

    /** Takes ownership of what {@code a} attached: closes all of it if the ring buffer reader cannot open. */
    Tracer(TracedFunction[] functions, Attached a, long attachNanos) {
        this.functions = functions;
        this.mode = a.mode;
        this.reason = a.reason;
        this.skipped = a.skipped;
        this.object = a.object;
        this.clones = a.clones;
        this.links = a.links;
        try {
            this.drops = RingBufDrops.of(object.map("drops"));
            this.reader = RingBufReader.open(object.map("rb"), drops);
        } catch (RuntimeException e) {
            // The tracer owns what was attached from here on: without a reader nobody else can close it.
            try {
                closeAll(a.links, a.clones, a.object);
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            } finally {
                for (BpfProgram t : a.targets) t.close();
                if (a.lbr != null) a.lbr.close();
            }
            throw e;
        }
        this.attachNanos = attachNanos;
        this.tracefsKretprobes = a.tracefsKretprobes;
        this.targets = a.targets;
        this.lbr = a.lbr;
        this.entryStacks = a.entryStacks;
        this.assembler = new SessionAssembler(functions, s -> sink.accept(s));
    }

    /** The function table for a selection: ids, BTF return kinds and argument counts. */
    public static TracedFunction[] functions(FunctionSelector.Selection sel) {
        return functions(sel, TraceOptions.defaults());
    }

    /**
     * The function table: the selection's functions (kernel functions, then BPF program
     * functions), then {@code opts}' injected probes, each with its argument layout under -A
     * (and, for filtered entry functions, the layout the filter is compiled against).
     *
     * @throws BpfException if an injected probe's event does not exist, or the filter names
     *                      what an entry function does not have
     */
    public static TracedFunction[] functions(FunctionSelector.Selection sel, TraceOptions opts) {
        Btf vmlinux = kernelBtf();
        Map<String, Optional<Btf>> modules = new HashMap<>();
        List<TracedFunction> out = new ArrayList<>();
        ArgLayout.Limits limits = opts.args() != null ? opts.args() : ArgLayout.Limits.DEFAULT;
        for (FunctionSelector.Selected s : sel.functions()) {
            int i = out.size();
            KernelFunction f = s.function();
            if (s.bpf() != null) {
                BpfTargets.Func b = s.bpf();
                ReturnKind rk = b.proto() == null ? ReturnKind.UNKNOWN : ReturnKind.of(b.btf(), b.proto().returnType());
                ArgLayout al = b.proto() == null ? null : ArgLayout.of(b.btf(), b.proto(), limits, false);
                out.add(new TracedFunction(i, f, s.entry(), rk, b.proto() == null ? -1 : b.proto().params().size(), true,
                        TracedFunction.Kind.BPF_PROGRAM, al, b));
                continue;
            }
            Btf btf = f.module() == null ? vmlinux : modules.computeIfAbsent(f.module(), m -> moduleBtf(vmlinux, m)).orElse(null);
            Optional<BtfType.FuncProto> proto = ReturnKind.proto(btf, f.name());
            ReturnKind rk = proto.map(p -> ReturnKind.of(btf, p.returnType())).orElse(ReturnKind.UNKNOWN);
            // Without BTF the registers are captured raw (filters cannot name them: checked below);
            // so are a compiler clone's, whose parameters (.isra, .constprop) are not its original's.
            ArgLayout al = f.isClone() ? ArgLayout.raw() : proto.map(p -> ArgLayout.of(btf, p, limits, true)).orElseGet(ArgLayout::raw);
            out.add(new TracedFunction(i, f, s.entry(), rk, proto.map(p -> p.params().size()).orElse(-1), s.uniqueName(),
                    TracedFunction.Kind.FUNCTION, al, null));
        }
        for (String text : opts.probes()) {
            InjectedProbe p = InjectedProbe.parse(text);
            int i = out.size();
            ArgLayout al = switch (p.type()) {
                case KPROBE, KRETPROBE -> vmlinux == null ? null : ArgLayout.regs(vmlinux, limits);
                case TRACEPOINT -> ArgLayout.tracepoint(TracepointFormat.load(p.category(), p.name()), limits);
                case RAW_TRACEPOINT -> vmlinux == null ? null : ArgLayout.rawTracepoint(vmlinux, p.name(), limits);
            };
            ReturnKind rk = ReturnKind.VOID;
            if (p.type() == InjectedProbe.Type.KRETPROBE)
                rk = ReturnKind.proto(vmlinux, p.function()).map(x -> ReturnKind.of(vmlinux, x.returnType())).orElse(ReturnKind.UNKNOWN);
            out.add(new TracedFunction(i, new KernelFunction(p.label(), null, 0), false, rk, 0, true, TracedFunction.Kind.PROBE, al, null));
        }
        TracedFunction[] fns = out.toArray(TracedFunction[]::new);
        // The filter is compiled against each entry function's parameters, captured or not.
        if (opts.filter() != null) {
            for (TracedFunction f : fns) {
                if (!f.entry()) continue;
                if (f.argLayout() == null || f.argLayout().btf() == null)
                    throw new BpfException("--filter-arg '" + opts.filter().text() + "': " + f.name() + " has no BTF, so its arguments have no names");
                opts.filter().compile(f.name(), f.argLayout());
            }
        }
        // Without -A only a filtered entry function keeps its layout (the filter reads its
        // registers; capture_args is off, so nothing is captured).
        if (opts.args() == null)
            for (int i = 0; i < fns.length; i++) if (!filtered(fns[i], opts)) fns[i] = fns[i].withArgs(null);
        return fns;
    }

    private static Btf kernelBtf() {
        try {
            return Btf.kernel();
        } catch (BpfException e) {
            return null; // results are then read as long: still correct for int and pointer errors
        }
    }

    private static Optional<Btf> moduleBtf(Btf base, String module) {
        Path p = Path.of("/sys/kernel/btf", module);
        if (base == null || !Files.exists(p)) return Optional.empty();
        try {
            return Optional.of(Btf.read(p, base));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    record Attached(AttachMode mode, String reason, List<String> skipped, BpfObject object,
                            List<BpfObject> clones, List<BpfLink> links, boolean tracefsKretprobes, List<BpfProgram> targets,
                            Lbr lbr, int entryStacks) {}

    /**
     * Room in an entry function's -K kretprobe for tasks inside it at once. Entry functions are
     * syscall entry points in practice: any task may sleep in one. (1024 instances: about 64 KiB.)
     */
    static final int MAX_ACTIVE_ENTRY = 1024;

    /**
     * Loads and attaches. With no mode in {@code opts}, tries kprobe.multi, then single kprobes,
     * and {@link #reason()} says why it ended where it did. Functions that refuse to attach are
     * skipped ({@link #skipped()}); if none attaches, or the kernel refuses the programs, throws
     * with what was refused.
     */
    public static Tracer attach(FunctionSelector.Selection sel, TraceOptions opts) {
        return attach(sel, opts, 0);
    }

    /** As {@link #attach(FunctionSelector.Selection, TraceOptions)}; maxActive > 0 sets every -K kretprobe's room (tests). */
    static Tracer attach(FunctionSelector.Selection sel, TraceOptions opts, int maxActive) {
        TracedFunction[] fns;
        try {
            fns = functions(sel, opts);
        } catch (BpfException e) {
            // A probe's event that does not exist, a filter naming what a function lacks: the
            // user's input against this kernel, not the kernel refusing the tracer.
            throw e instanceof UnsupportedOptionException ? e : new UnsupportedOptionException(e.getMessage());
        }
        // fentry/fexit on a BPF program (attach_prog_fd for tracing programs) came with 5b92a28aae4d.
        if (java.util.Arrays.stream(fns).anyMatch(f -> f.kind() == TracedFunction.Kind.BPF_PROGRAM) && !Features.has(KernelFeature.TRACING))
            throw new UnsupportedFeatureException("bpf: patterns (fentry/fexit on BPF programs)", KernelFeature.TRACING.minimumKernel(),
                    Features.probe(KernelFeature.TRACING).detail());
        Lbr lbr = opts.lbr() == null ? null : Lbr.open(opts.lbr());
        try {
            long t0 = System.nanoTime();
            Attached a;
            if (opts.mode() != null) {
                a = attach(fns, opts, maxActive, opts.mode(), "requested", lbr);
            } else if (!Features.has(KernelFeature.KPROBE_MULTI)) {
                a = attach(fns, opts, maxActive, AttachMode.KPROBE, noMulti(), lbr);
            } else {
                try {
                    a = attach(fns, opts, maxActive, AttachMode.MULTI, "default where the kernel has kprobe.multi", lbr);
                } catch (BpfException e) {
                    if (e instanceof NoEntryException) throw e;
                    try {
                        a = attach(fns, opts, maxActive, AttachMode.KPROBE, "kprobe.multi refused (" + e.getMessage() + ")", lbr);
                    } catch (BpfException ke) {
                        throw new BpfException(e.getMessage() + "; " + ke.getMessage(), ke);
                    }
                }
            }
            return new Tracer(fns, a, System.nanoTime() - t0);
        } catch (RuntimeException e) {
            if (lbr != null) lbr.close();
            throw e;
        }
    }

    /**
     * What {@link #attach} would do, in lines for {@code --dry-run}: the attach mode and why,
     * what each kind of target is attached with, and the options that change what the BPF side
     * records. Decided as attach decides; nothing is loaded.
     */
    public static List<String> plan(FunctionSelector.Selection sel, TraceOptions opts) {
        List<String> out = new ArrayList<>();
        long kernel = sel.functions().stream().filter(s -> s.bpf() == null).count();
        long bpf = sel.functions().size() - kernel;
        boolean multi = Features.has(KernelFeature.KPROBE_MULTI);
        AttachMode mode = opts.mode() != null ? opts.mode() : multi ? AttachMode.MULTI : AttachMode.KPROBE;
        String why = opts.mode() != null ? "requested" : multi
                ? "default where the kernel has kprobe.multi; single kprobes if it refuses these functions"
                : noMulti();
        String how = mode == AttachMode.MULTI && session(opts) ? mode.label + ", one session link" : mode.label;
        if (kernel > 0) out.add("would attach " + kernel + " kernel functions with " + how + " (" + why + ")");
        if (bpf > 0) {
            long skip = sel.functions().stream().filter(s -> s.bpf() != null && s.bpf().skip() != null).count();
            out.add("would attach " + (bpf - skip) + " BPF program functions with fentry/fexit on their programs"
                    + (skip > 0 ? ", skip " + skip + " (-v says why)" : ""));
        }
        if (!opts.probes().isEmpty())
            out.add("would inject " + opts.probes().size() + " probe" + (opts.probes().size() == 1 ? "" : "s") + ": "
                    + String.join(", ", opts.probes().stream().map(x -> InjectedProbe.parse(x).label()).toList()));
        if (opts.args() != null)
            out.add("arguments of " + (opts.args().everyCall() || opts.emitAll() ? "every call" : "the calls on an error's path")
                    + ": registers at entry, memory read at exit; at most " + opts.args().perCall() + " bytes per call, " + opts.args().perArg() + " per argument");
        if (opts.filter() != null) out.add("sessions start only where '" + opts.filter().text() + "' holds (evaluated in BPF)");
        if (opts.lbr() != null) {
            UnsupportedFeatureException m = Lbr.missing();
            out.add(m != null ? m.getMessage() : "last branch records at the error (" + opts.lbr() + "), if the CPU records them");
        }
        if (kernel > 0 && entryStacks(mode, opts) > 0)
            out.add("stacks taken at each session's entry and stitched with the calls' return addresses (kretprobe stacks end at the trampoline before 5.15)");
        return out;
    }

    /** Whether kprobe.multi attaches through one session link (see {@link TraceOptions#kprobeSession}). */
    static boolean session(TraceOptions opts) {
        return opts.kprobeSession() != null ? opts.kprobeSession() : Features.has(KernelFeature.KPROBE_SESSION);
    }

    /** Why single kprobes: what the cached kprobe.multi probe found. */
    private static String noMulti() {
        Probe p = Features.probe(KernelFeature.KPROBE_MULTI);
        if (p.verdict() == Probe.Verdict.UNKNOWN) return "could not tell whether this kernel has kprobe.multi links: " + p;
        return "this kernel has no kprobe.multi links (Linux " + KernelFeature.KPROBE_MULTI.minimumKernel()
                + "+" + (p.detail().isEmpty() ? "" : "; " + p.detail()) + ")";
    }

    /**
     * Whether the mode takes the stack at each session's entry: kretprobe stacks end at the
     * trampoline before 5.15 on x86 (fixed by 19138af1c3ca, "x86/unwind: Recover kretprobe
     * trampoline return address"); retsnoop's measured 5.10 stacks are that one frame.
     */
    static int entryStacks(AttachMode mode, TraceOptions opts) {
        if (opts.entryStacks() != null) return opts.entryStacks();
        return mode == AttachMode.KPROBE && !KernelRelease.running().atLeast(5, 15) ? 2 : 0;
    }

    static ObjectSpec configure(ObjectSpec spec, TracedFunction[] fns, TraceOptions o, int entryStacks) {
        int n = (int) java.util.Arrays.stream(fns).filter(f -> f.kind() == TracedFunction.Kind.FUNCTION).count();
        spec.updateMap("rb", m -> m.withMaxEntries(o.ringBufBytes()));
        spec.updateMap("sessions", m -> m.withMaxEntries(Math.max(1, o.maxSessions())));
        spec.updateMap("ip_table", m -> m.withMaxEntries(Math.max(1, n)));
        spec.updateMap("fn_args", m -> m.withMaxEntries(Math.max(1, fns.length)));
        spec.updateMap("filters", m -> m.withMaxEntries(Math.max(1, fns.length)));
        spec.setVariable("n_ips", n);
        spec.setVariable("capture_args", o.args() != null ? 1 : 0);
        spec.setVariable("args_all", o.args() != null && (o.args().everyCall() || o.emitAll()) ? 1 : 0);
        spec.setVariable("entry_stacks", entryStacks);
        spec.setVariable("lbr_on", o.lbr() != null ? 1 : 0);
        spec.setVariable("emit_all", o.emitAll() ? 1 : 0);
        spec.setVariable("wakeup_bytes", (long) o.ringBufBytes() / 4);
        spec.setVariable("min_duration_ns", o.minDurationNs());
        spec.setVariable("deny_tgid", o.denyTgid());
        spec.setVariable("pid_allow_on", o.pids().isEmpty() ? 0 : 1);
        spec.setVariable("pid_deny_on", o.noPids().isEmpty() ? 0 : 1);
        spec.setVariable("comm_allow_on", o.comms().isEmpty() ? 0 : 1);
        spec.setVariable("comm_deny_on", o.noComms().isEmpty() ? 0 : 1);
        spec.updatePrograms(p -> p.withAutoload(false));
        return spec;
    }

    private static Attached attach(TracedFunction[] fns, TraceOptions opts, int maxActive, AttachMode mode, String why, Lbr lbr) {
        int stacks = entryStacks(mode, opts);
        ObjectSpec spec = configure(ToolObjects.spec(ToolObjects.TRACE), fns, opts, stacks);
        boolean cookies = Features.has(KernelFeature.BPF_COOKIE);
        boolean session = mode == AttachMode.MULTI && session(opts);
        switch (mode) {
            case MULTI -> {
                if (session) {
                    spec.updateProgram("kmsession", p -> p.withAutoload(true));
                } else {
                    spec.updateProgram("kmentry", p -> p.withAutoload(true));
                    spec.updateProgram("kmexit", p -> p.withAutoload(true));
                }
            }
            case KPROBE -> {
                spec.updateProgram(cookies ? "kentry_cookie" : "kentry_ip", p -> p.withAutoload(true));
                spec.updateProgram(cookies ? "kexit_cookie" : "kexit_lifo", p -> p.withAutoload(true));
            }
            case FENTRY -> { /* one clone per function below */ }
        }
        BpfObject obj;
        try {
            obj = BpfObject.load(spec);
        } catch (BpfException e) {
            throw refused(mode, "load", e);
        }
        List<BpfObject> clones = new ArrayList<>();
        List<BpfLink> links = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<BpfProgram> targets = new ArrayList<>();
        boolean[] tracefs = {false};
        TracedFunction[] kfns = java.util.Arrays.stream(fns).filter(f -> f.kind() == TracedFunction.Kind.FUNCTION).toArray(TracedFunction[]::new);
        // An entry among the BPF program functions can start sessions on its own.
        boolean kernelEntryNeeded = java.util.Arrays.stream(fns).noneMatch(f -> f.entry() && f.kind() == TracedFunction.Kind.BPF_PROGRAM);
        try {
            fill(obj, fns, opts);
            String reason = kfns.length == 0 ? "fentry/fexit (BPF programs only)" : switch (mode) {
                case MULTI -> {
                    long[] addrs = new long[kfns.length], ids = new long[kfns.length];
                    for (int i = 0; i < kfns.length; i++) {
                        addrs[i] = kfns[i].function().address();
                        ids[i] = cookie(kfns[i], opts);
                    }
                    try {
                        if (session) {
                            // Two slots per function link, as with an exit and an entry link (attachedCount).
                            links.add(Links.kprobeSession(obj.program("kmsession"), addrs, ids));
                            links.add(new NoLink());
                        } else {
                            // Exits first, entries last, and detach in reverse: no entry without its exit.
                            links.add(Links.kprobeMulti(obj.program("kmexit"), addrs, ids, true));
                            links.add(Links.kprobeMulti(obj.program("kmentry"), addrs, ids, false));
                        }
                    } catch (BpfException e) {
                        throw refused(mode, "attach", e);
                    }
                    yield "kprobe.multi (" + why + ")" + (session ? ", one session link: one fprobe per function" : "");
                }
                case KPROBE -> {
                    String rets = attachKprobes(obj, kfns, opts, cookies, maxActive, links, skipped, kernelEntryNeeded);
                    tracefs[0] = rets == null;
                    yield "kprobe/kretprobe (" + why + "); " + (cookies ? "functions known by BPF cookie"
                            : "no BPF cookies before 5.15: entries found by address, exits matched by call order")
                            + (rets == null ? "" : "; " + rets);
                }
                case FENTRY -> {
                    attachFentry(spec, obj, kfns, opts, clones, links, skipped, targets, kernelEntryNeeded);
                    yield "fentry/fexit (" + why + ")";
                }
            };
            TracedFunction[] bfns = java.util.Arrays.stream(fns).filter(f -> f.kind() == TracedFunction.Kind.BPF_PROGRAM).toArray(TracedFunction[]::new);
            if (bfns.length > 0) {
                boolean needEntry = kfns.length == 0 || noEntryAttached(kfns, skipped);
                if (!needEntry && java.util.Arrays.stream(kfns).noneMatch(TracedFunction::entry)) needEntry = true;
                attachFentry(spec, obj, bfns, opts, clones, links, skipped, targets, needEntry);
                reason += "; BPF programs by fentry/fexit";
            }
            int probes = attachProbes(spec, obj, fns, opts, clones, links);
            if (probes > 0) reason += "; " + probes + " injected probe" + (probes == 1 ? "" : "s");
            if (stacks > 0) reason += stacks == 2 ? "; stacks taken at session entry (kretprobe stacks end at the trampoline before 5.15)"
                    : "; stacks stitched from return addresses (kretprobe stacks end at the trampoline before 5.15)";
            return new Attached(mode, reason, skipped, obj, clones, links, tracefs[0], targets, lbr, stacks);
        } catch (RuntimeException e) {
            closeAll(links, clones, obj);
            for (BpfProgram t : targets) t.close();
            throw e;
        }
    }

    /** True if no entry function of these was attached (all are in skipped). */
    private static boolean noEntryAttached(TracedFunction[] fns, List<String> skipped) {
        for (TracedFunction f : fns) {
            if (!f.entry()) continue;
            String prefix = f.function() + ": ";
            if (skipped.stream().noneMatch(x -> x.startsWith(prefix))) return false;
        }
        return true;
    }

    /**
     * Loads and attaches one program clone per injected probe (its id in .rodata); returns how
     * many. A probe that cannot attach fails the trace: unlike a glob's match, it was named.
     */
    private static int attachProbes(ObjectSpec spec, BpfObject obj, TracedFunction[] fns, TraceOptions opts,
                                    List<BpfObject> clones, List<BpfLink> links) {
        LoadOptions lo = LoadOptions.defaults();
        for (String m : SHARED_MAPS) lo = lo.replaceMap(m, obj.map(m));
        int n = 0;
        for (TracedFunction f : fns) {
            if (!f.probe()) continue;
            InjectedProbe p = InjectedProbe.parse(opts.probes().get(n));
            String prog = switch (p.type()) {
                case KPROBE -> "inj_kprobe";
                case KRETPROBE -> "inj_kretprobe";
                case TRACEPOINT -> "inj_tp";
                case RAW_TRACEPOINT -> "inj_rawtp";
            };
            ObjectSpec c = spec.copy();
            c.setVariable("inj_id", f.id());
            c.setVariable("inj_flags", f.argLayout() != null ? FN_ARGS : 0);
            c.updateProgram(prog, x -> x.withAutoload(true));
            BpfObject o = null;
            try {
                o = BpfObject.load(c, lo);
                BpfProgram bp = o.program(prog);
                BpfLink l = switch (p.type()) {
                    case KPROBE -> Links.kprobe(bp, p.function(), p.offset(), false);
                    case KRETPROBE -> Links.kprobe(bp, p.function(), 0, true);
                    case TRACEPOINT -> Links.tracepoint(bp, p.category(), p.name());
                    case RAW_TRACEPOINT -> Links.rawTracepoint(bp, p.name());
                };
                // Kept in (exit, entry) pairs for closeAll: a probe is its own pair.
                links.add(l);
                links.add(new NoLink());
                clones.add(o);
            } catch (BpfException e) {
                if (o != null) o.close();
                throw new UnsupportedOptionException("-J " + p.label() + ": " + e.getMessage());
            }
            n++;
        }
        return n;
    }

    /** A placeholder that keeps links in (exit, entry) pairs. */
    private static final class NoLink extends BpfLink {
        NoLink() {
            super(null);
        }

        @Override
        public void close() {}
    }

    static BpfException refused(AttachMode mode, String what, BpfException e) {
        return new BpfException(mode.label + " " + what + " refused: " + e.getMessage(), e);
    }

    private static void fill(BpfObject obj, TracedFunction[] fns, TraceOptions opts) {
        BpfMap ips = obj.map("ip_table");
        TracedFunction[] byAddress = java.util.Arrays.stream(fns).filter(f -> f.kind() == TracedFunction.Kind.FUNCTION).toArray(TracedFunction[]::new);
        // Unsigned: kernel addresses are "negative" longs.
        java.util.Arrays.sort(byAddress, (a, b) -> Long.compareUnsigned(a.function().address(), b.function().address()));
        for (int i = 0; i < byAddress.length; i++) ips.update(u32(i), ipEntry(byAddress[i], opts), BpfMap.ANY);
        for (TracedFunction f : fns) {
            if (f.argLayout() != null) obj.map("fn_args").update(u32(f.id()), f.argLayout().spec(), BpfMap.ANY);
            if (filtered(f, opts)) obj.map("filters").update(u32(f.id()), opts.filter().compile(f.name(), f.argLayout()), BpfMap.ANY);
        }
        byte[] one = {1};
        for (int p : opts.pids()) obj.map("pid_allow").update(u32(p), one, BpfMap.ANY);
        for (int p : opts.noPids()) obj.map("pid_deny").update(u32(p), one, BpfMap.ANY);
        for (String c : opts.comms()) obj.map("comm_allow").update(comm(c), one, BpfMap.ANY);
        for (String c : opts.noComms()) obj.map("comm_deny").update(comm(c), one, BpfMap.ANY);
    }

    /** An ip_table value of trace.bpf.c: the function's address and its cookie. */
    static byte[] ipEntry(TracedFunction f, TraceOptions opts) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(f.function().address()).putLong(cookie(f, opts)).array();
    }

    /** What trace.bpf.c gets for a function: its id, and its FN_* flags in the upper half. */
    static long cookie(TracedFunction f) {
        return cookie(f, TraceOptions.defaults());
    }

    static long cookie(TracedFunction f, TraceOptions opts) {
        return Integer.toUnsignedLong(f.id()) | (long) (flags(f) | (filtered(f, opts) ? FN_FILTER : 0)) << 32;
    }

    /** An entry function whose sessions --filter-arg decides. */
    static boolean filtered(TracedFunction f, TraceOptions opts) {
        return opts.filter() != null && f.entry() && !f.probe();
    }


    /** trace.bpf.c's FN_SYSCALL. */
    static final int FN_SYSCALL = 16;
    /**
     * Syscall entry wrappers: the arch's entry code calls them, nothing else does, so one cannot
     * be entered while the same thread is inside another. Not {@code __se_sys_*}/{@code __do_sys_*}
     * (called by the wrapper, so nested in it) nor {@code __sys_*} (BPF syscall programs call
     * {@code __sys_bpf} from inside other syscalls).
     */
    static final java.util.regex.Pattern SYSCALL_WRAPPER =
            java.util.regex.Pattern.compile("__(x64|ia32|x32|arm64)_(compat_)?sys_\\w+");

    /** FN_* flags of a function, as trace.bpf.c reads them. */
    static int flags(TracedFunction f) {
        return f.bpfFlags() | (SYSCALL_WRAPPER.matcher(f.name()).matches() ? FN_SYSCALL : 0);
    }

    static byte[] comm(String c) {
        byte[] b = new byte[16];
        byte[] s = c.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(s, 0, b, 0, Math.min(15, s.length));
        return b;
    }

    /**
     * Attaches an entry kprobe and a kretprobe per function. An entry function's kretprobe is a
     * tracefs kprobe event with room for many tasks at once: the perf PMU's default on a
     * non-preemptible kernel is one per CPU, and a busy syscall entry misses returns. Other
     * functions keep the PMU's (tracefs events detach one at a time under a global lock; a miss
     * there costs one call's exit, found and counted by trace.bpf.c). Where tracefs cannot make
     * them, the PMU's for all. Returns null, or why the PMU was used.
     */
    private static String attachKprobes(BpfObject obj, TracedFunction[] fns, TraceOptions opts, boolean cookies, int maxActive,
                                        List<BpfLink> links, List<String> skipped, boolean needEntry) {
        // No kprobe PMU at all: nothing will attach, say so once instead of once per function.
        try {
            Features.require(KernelFeature.KPROBES);
        } catch (BpfException e) {
            throw refused(AttachMode.KPROBE, "attach", e);
        }
        BpfProgram entry = obj.program(cookies ? "kentry_cookie" : "kentry_ip");
        BpfProgram exit = obj.program(cookies ? "kexit_cookie" : "kexit_lifo");
        Map<String, Integer> names = new HashMap<>();
        for (TracedFunction f : fns) names.merge(f.name(), 1, Integer::sum);
        BpfException first = null;
        String pmuReturns = null;
        int ok = 0, entries = 0;
        for (TracedFunction f : fns) {
            if (names.get(f.name()) > 1 || !f.uniqueName()) {
                skipped.add(f.function() + ": the name is not unique in kallsyms, a kprobe by name cannot choose (use -M)");
                continue;
            }
            BpfLink in = null;
            try {
                BpfLink out = null;
                BpfException viaTracefs = null;
                if (pmuReturns == null && (f.entry() || maxActive > 0)) {
                    int room = maxActive > 0 ? maxActive : MAX_ACTIVE_ENTRY;
                    try {
                        out = Links.kretprobe(exit, f.name(), room, cookie(f, opts));
                    } catch (BpfException e) {
                        viaTracefs = e;
                    }
                }
                if (out == null) out = Links.kprobe(exit, f.name(), 0, true, cookie(f, opts));
                if (viaTracefs != null) {
                    // The PMU could: tracefs is what failed, not the function.
                    pmuReturns = "kretprobes from the perf PMU with the kernel's default room (tracefs: "
                            + viaTracefs.getMessage() + "); returns they miss are counted";
                }
                links.add(out);
                // The return probe first: an entry seen before it would wait for a return never seen.
                try {
                    in = Links.kprobe(entry, f.name(), 0, false, cookie(f, opts));
                } catch (BpfException e) {
                    links.removeLast().close();
                    throw e;
                }
                links.add(in);
                ok++;
                if (f.entry()) entries++;
            } catch (BpfException e) {
                if (first == null) first = e;
                skipped.add(f.function() + ": " + e.getMessage());
            }
        }
        if (ok == 0) throw refused(AttachMode.KPROBE, "attach", first != null ? first : new BpfException("no function could be attached"));
        if (entries == 0 && needEntry) throw noEntry(AttachMode.KPROBE, skipped);
        return pmuReturns;
    }

    /**
     * One fentry/fexit clone pair per function (kernel functions, or BPF program functions
     * through attach_prog_fd). {@code needEntry}: fail unless an entry function attached.
     */
    private static void attachFentry(ObjectSpec spec, BpfObject obj, TracedFunction[] fns, TraceOptions opts, List<BpfObject> clones,
                                     List<BpfLink> links, List<String> skipped, List<BpfProgram> targets, boolean needEntry) {
        LoadOptions lo = LoadOptions.defaults();
        for (String m : SHARED_MAPS) lo = lo.replaceMap(m, obj.map(m));
        BpfException first = null;
        int ok = 0, entries = 0;
        boolean unsafeDetach = !KernelRelease.running().atLeast(5, 12);
        for (TracedFunction f : fns) {
            BpfTargets.Func b = f.bpf();
            if (b != null && b.skip() != null) {
                skipped.add(f.function() + ": " + b.skip());
                continue;
            }
            if (f.function().module() != null) {
                skipped.add(f.function() + ": fentry on module functions is not supported yet (use -K or -M)");
                continue;
            }
            if (b == null && unsafeDetach && SLEEPING_SYSCALL.matcher(f.name()).matches()) {
                // Before 5.12 (e21aa341785c) detaching fexit frees the trampoline while a task that
                // sleeps in the traced function will still return into it: seen as a soft lockup
                // of the workload on Debian 5.10 in the lab. Syscall entry points sleep.
                skipped.add(f.function() + ": a syscall entry sleeps, and detaching fexit from it can hang this kernel"
                        + " (fixed in 5.12, e21aa341785c); use -K");
                continue;
            }
            if (f.args() < 0) {
                skipped.add(f.function() + ": no BTF for it (" + (f.function().isClone() ? "a compiler clone" : "not in vmlinux BTF") + "), fentry needs it");
                continue;
            }
            if (f.args() > MAX_FEXIT_ARGS) {
                skipped.add(f.function() + ": " + f.args() + " arguments, fexit here reads the result of at most " + MAX_FEXIT_ARGS);
                continue;
            }
            ObjectSpec c = spec.copy();
            c.setVariable("fentry_id", f.id());
            c.setVariable("fentry_flags", flags(f) | (filtered(f, opts) ? FN_FILTER : 0));
            c.setVariable("fentry_nargs", Math.min(f.args(), ArgLayout.MAX_ARGS));
            BpfObject o = null;
            BpfProgram target = null;
            try {
                if (b != null) {
                    target = BpfProgram.fromId(b.progId());
                    BpfProgram t = target;
                    c.updateProgram("fentry_fn", p -> p.withAutoload(true).withAttachTo(t, b.func()));
                    c.updateProgram("fexit" + f.args(), p -> p.withAutoload(true).withAttachTo(t, b.func()));
                } else {
                    c.updateProgram("fentry_fn", p -> p.withAutoload(true).withAttachTarget(f.name()));
                    c.updateProgram("fexit" + f.args(), p -> p.withAutoload(true).withAttachTarget(f.name()));
                }
                o = BpfObject.load(c, lo);
                BpfLink exit = Links.tracing(o.program("fexit" + f.args()));
                try {
                    links.add(Links.tracing(o.program("fentry_fn")));
                } catch (BpfException e) {
                    exit.close();
                    throw e;
                }
                links.add(links.size() - 1, exit); // pairs stay (exit, entry): see closeAll
                clones.add(o);
                if (target != null) targets.add(target);
                target = null;
                ok++;
                if (f.entry()) entries++;
            } catch (BpfException e) {
                if (o != null) o.close();
                if (target != null) target.close();
                if (first == null) first = e;
                if (ok == 0 && e.errno() == Errno.EPERM) throw refused(AttachMode.FENTRY, "load", e);
                skipped.add(f.function() + ": " + e.getMessage());
            }
        }
        if (ok == 0 && (needEntry || first != null)) throw refused(AttachMode.FENTRY, "attach", first != null ? first : new BpfException("no function has what fentry needs"));
        if (entries == 0 && needEntry) throw noEntry(AttachMode.FENTRY, skipped);
    }

    /** Nothing could start a session: say why the entry functions were skipped. */
    static BpfException noEntry(AttachMode mode, List<String> skipped) {
        return new NoEntryException(mode.label + ": no entry function could be attached, so no session could start; "
                + String.join("; ", skipped.subList(0, Math.min(3, skipped.size()))));
    }

    /** No entry function could be attached; the message says why for each (up to three). */
    public static final class NoEntryException extends BpfException {
        NoEntryException(String message) {
            super(message);
        }
    }

    /**
     * An option this kernel or machine cannot serve (-B without 5.16 or without a branch-recording
     * PMU): the message names what is missing and where it is found; the rest of the tracer may
     * work here.
     */
    public static final class UnsupportedOptionException extends BpfException {
        public UnsupportedOptionException(String message) {
            super(message);
        }
    }


    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    public AttachMode mode() {
        return mode;
    }

    /** One line: the attach mode and why it was chosen. */
    public String reason() {
        return reason;
    }

    /** Functions that were selected but could not be attached, each with the reason. */
    public List<String> skipped() {
        return skipped;
    }

    public TracedFunction[] functionTable() {
        return functions.clone();
    }

    /** Functions actually attached (injected probes not counted). */
    public int attachedCount() {
        int probes = 0, fns = 0;
        for (TracedFunction f : functions) {
            if (f.probe()) probes++;
            else if (f.kind() == TracedFunction.Kind.FUNCTION) fns++;
        }
        // kprobe.multi: every kernel function or none; BPF program functions add fentry pairs.
        return mode == AttachMode.MULTI ? fns + (links.size() - 2 - 2 * probes) / 2 : links.size() / 2 - probes;
    }

    /** True if sessions' stacks are taken at their entry (see {@link #entryStacks}). */
    public boolean stacksAtEntry() {
        return entryStacks > 0;
    }

    public long attachNanos() {
        return attachNanos;
    }

    /**
     * Hands finished sessions to {@code out}, waiting up to {@code timeoutMs} for records.
     * Returns the number of records read.
     */
    public int poll(Consumer<Session> out, int timeoutMs) {
        sink = out;
        return reader.poll(assembler::accept, timeoutMs);
    }

    /** Reads what is already in the ring buffer, without waiting. */
    public int drain(Consumer<Session> out) {
        sink = out;
        return reader.consume(assembler::accept);
    }

    /**
     * Adds a process to the allow list of a tracer attached with one ({@link TraceOptions#pids()}
     * not empty): a caller that follows a command's children adds each before it runs.
     */
    public void allowPid(int tgid) {
        object.map("pid_allow").update(u32(tgid), new byte[] {1}, BpfMap.ANY);
    }

    /** Ring buffer records the BPF side could not write so far (its {@code drops} map): one map lookup. */
    public long droppedRecords() {
        return drops.count();
    }

    public Stats stats() {
        BpfMap st = object.map("stats");
        long[] v = new long[4];
        for (int i = 0; i < v.length; i++)
            v[i] = st.lookup(u32(i)).map(b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong()).orElse(0L);
        return new Stats(drops.count(), v[0], v[1], v[2], assembler.sessions(), assembler.lostSessions(), assembler.badRecords(),
                v[3], tracefsKretprobes ? KprobeEvents.missed() : 0, openSessions(), skippedRuns());
    }

    /**
     * Runs of this tracer's programs the kernel skipped (their {@code recursion_misses}, summed).
     * The kernel runs no kprobe or kprobe.multi program on a CPU whose {@code bpf_prog_active} is
     * taken: by another BPF program there, or by a task preempted inside a map syscall, which
     * takes it under migrate_disable() only ("bpf: Replace open coded recursion prevention in
     * sys_bpf()", 5.7). The second needs a kernel that preempts in-kernel code: Debian's 7.3.4
     * runs "lazy" preemption (3-14 exits skipped in 2,200-11,500 sessions while another thread
     * looked up a map in a loop), its 6.12 "voluntary" (none). A skipped exit is a missed return,
     * a skipped entry an exit without its entry. fentry programs are counted from 5.12
     * (9ed9e9ba2337), kprobe programs on newer kernels (7.3.4 counts them); a kernel that skips
     * without counting makes this 0.
     */
    public long skippedRuns() {
        ProgReader r = new ProgReader();
        long n = 0;
        List<BpfProgram> progs = new ArrayList<>(object.programs().values());
        for (BpfObject c : clones) progs.addAll(c.programs().values());
        for (BpfProgram p : progs) {
            long m = r.read(p.fd()).recursionMisses();
            if (m > 0) n += m;
        }
        return n;
    }

    /**
     * Sessions whose entry function had not returned (as far as the BPF side saw) when this was
     * called: after {@link #detach()}, sessions that were never shipped. A thread still inside
     * its entry function at the end is one; a return the kernel never reported is another.
     * Counted from the per-thread slots of the {@code sessions} map (the depth member, located
     * through the object's BTF as the loader parsed it from the ELF); -1 when it has none.
     */
    public long openSessions() {
        Btf btf = object.spec().btf();
        if (btf == null) return -1;
        Optional<BtfType> t = btf.findByName("session", io.bpf4j.btf.BtfKind.STRUCT);
        if (t.isEmpty()) return -1;
        Optional<Btf.Field> depth = btf.memberByPath(t.get(), "depth");
        if (depth.isEmpty()) return -1;
        int off = (int) depth.get().byteOffset();
        BpfMap sessions = object.map("sessions");
        long open = 0;
        for (byte[] k : sessions.keys()) {
            Optional<byte[]> v = sessions.lookup(k);
            if (v.isPresent() && ByteBuffer.wrap(v.get()).order(ByteOrder.LITTLE_ENDIAN).getInt(off) != 0) open++;
        }
        return open;
    }

    /** Detaches every probe (records already in the ring buffer stay readable); returns the time it took in ns. */
    public long detach() {
        if (detached) return 0;
        detached = true;
        long t0 = System.nanoTime();
        closeAll(links, List.of(), null);
        links.clear();
        return System.nanoTime() - t0;
    }

    /**
     * Closes links two by two in the order they were made: (exit, entry) pairs. Every entry goes
     * first, so no call is seen entering without its exit still attached. Each close of a single
     * kprobe waits for RCU grace periods (and 5.10 patches ftrace per function): done one after
     * the other, 500 functions took 40-70 s in the lab, so they are closed from several threads,
     * whose waits overlap.
     */
    private static void closeAll(List<BpfLink> links, List<BpfObject> clones, BpfObject obj) {
        List<BpfLink> entries = new ArrayList<>(), exits = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) (i % 2 == 1 ? entries : exits).add(links.get(i));
        RuntimeException first = closeParallel(entries);
        RuntimeException e2 = closeParallel(exits);
        if (first == null) first = e2;
        for (BpfObject o : clones) {
            try {
                o.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (obj != null) obj.close();
        if (first != null) throw first;
    }

    static final int DETACH_THREADS = 16;

    private static RuntimeException closeParallel(List<BpfLink> links) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> first = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < links.size(); ) {
                try {
                    links.get(i).close();
                } catch (RuntimeException e) {
                    first.compareAndSet(null, e);
                }
            }
        };
        int n = Math.min(DETACH_THREADS, links.size());
        if (n <= 1) {
            worker.run();
            return first.get();
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) threads.add(Thread.ofPlatform().daemon().name("bpf4j-detach-" + i).start(worker));
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the links must be closed whatever happens
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return first.get();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            detach();
        } finally {
            reader.close();
            try {
                closeAll(List.of(), clones, object);
            } finally {
                for (BpfProgram t : targets) t.close();
                if (lbr != null) lbr.close();
            }
        }
    }
}
