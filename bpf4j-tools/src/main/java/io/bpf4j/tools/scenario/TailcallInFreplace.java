package io.bpf4j.tools.scenario;

import io.bpf4j.tools.ToolObjects;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.ProgArray;
import io.bpf4j.VerifierException;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.CallKind;
import io.bpf4j.asm.Helper;
import io.bpf4j.asm.Insn;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.FdInfo;
import io.bpf4j.link.Links;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.LoadOptions;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.perf.PerfHandler;
import io.bpf4j.perf.PerfReader;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Connection;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Extension;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.KernelInfo;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Outcome;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Owner;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Prog;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tailcall-in-freplace story, reproduced step by step on the running kernel (Leon Hwang's
 * demo, {@code shared/reference/anchors-tools.md} §1): two kprobe programs call a global
 * {@code stub_handler()}; an freplace program replaces it with a tail call through a one-slot
 * prog array; a kprobe program {@code k_tailcall} is to be put in that slot. Before v6.2 the
 * freplace program claims the prog array as {@code BPF_PROG_TYPE_EXT} when it loads, and the put
 * fails with EINVAL.
 *
 * <p>Steps: 1 load both objects; 2 pause (optional); 3 put {@code k_tailcall} in
 * {@code progs[0]}; 4 attach the freplace program to both kprobe programs; 5 attach the
 * kprobes; 6 read events (making loopback connections itself if asked). A refused step ends the
 * run and is explained ({@link TailcallExplainer}); it is a result, not an exception. Exceptions
 * are left for what prevents the scenario from running at all (no kprobes, no loopback).
 * Everything created is closed before {@link #run} returns, whatever happens.
 */
public final class TailcallInFreplace {
    static final String KPROBE_PMU = "/sys/bus/event_source/devices/kprobe/type";
    static final List<String[]> KPROBES = List.of(
            new String[] {"k_tcp_connect", "tcp_connect"},
            new String[] {"k_icsk_complete_hashdance", "inet_csk_complete_hashdance"});
    static final String FUNCTION = "stub_handler";

    /**
     * @param connections loopback TCP connections to make after step 5 (0: only watch)
     * @param duration    how long step 6 reads events, and the longest step 2 pauses; null for no
     *                    bound. Loading alone can take seconds under emulation, so it is not counted
     * @param pause       whether step 2 pauses ({@link Listener#paused})
     */
    public record Options(int connections, Duration duration, boolean pause) {
        public Options {
            if (connections < 0 || connections > 10_000) throw new BpfException("--connect: " + connections + " is not in 0..10000");
            if (duration != null && (duration.isNegative() || duration.isZero())) throw new BpfException("--duration must be positive");
        }
    }

    /** Receives steps and events as they happen. Called on the thread that runs the scenario. */
    public interface Listener {
        default void step(Step step) {}

        default void event(TcpEvent event) {}

        /**
         * Steps 3 to 5 succeeded and the perf buffer is open: traffic made now is seen by step 6
         * (a caller's own connections, counted against the events afterwards).
         */
        default void attached() {}

        /**
         * Step 2: both objects are loaded and nothing is put or attached yet. Returns when the
         * run should go on (the command waits for Enter or a signal here; tests inspect).
         */
        default void paused(Paused loaded) throws InterruptedException {}
    }

    /**
     * The objects as step 2 leaves them, for inspection from elsewhere (ids) or this process (fds).
     *
     * @param deadlineNanos {@link System#nanoTime()} at which {@code --duration} ends the pause
     *                      ({@link Long#MAX_VALUE} for none)
     */
    public record Paused(long pid, int progsMapId, int progsMapFd, int tailcallProgId, int tailcallProgFd, int extensionProgId,
                         long deadlineNanos) {}

    private final Options options;
    private volatile boolean stop;

    public TailcallInFreplace(Options options) {
        this.options = options;
    }

    /**
     * Ends the run early, from any thread (a signal handler): the event loop stops within its
     * poll interval, and a run whose pause returns after this stops before step 3 (the pause
     * itself is the listener's to end). Everything is still closed and explained.
     */
    public void stop() {
        stop = true;
    }

    public boolean stopped() {
        return stop;
    }

    /**
     * Whether this kernel can attach kprobes (the kprobe PMU exists). Throws a one-line
     * {@link BpfException} when it cannot: the scenario needs them at step 5.
     */
    public static void requireKprobes() {
        if (!Files.exists(Path.of(KPROBE_PMU)))
            throw new BpfException("this kernel has no kprobes (" + KPROBE_PMU + " is missing), and the scenario attaches "
                    + "kprobes to tcp_connect and inet_csk_complete_hashdance; run it in the kernel lab: "
                    + "bpf4j vm run --kernel 5.10 -- ./bpf4j scenario tailcall-in-freplace");
    }

    /** Runs the scenario to its end (or {@link #stop()}) and explains it. */
    public TailcallInFreplaceReport run(Listener listener) {
        requireKprobes();
        return new Run(listener).execute();
    }

    /** The kernel's release, Debian's package version and the JIT setting. */
    public static KernelInfo kernelInfo() {
        String pkg = null;
        try {
            pkg = packageVersion(Files.readString(Path.of("/proc/version")));
        } catch (IOException e) {
            // no /proc/version: the release alone names the kernel
        }
        Integer jit = null;
        try {
            jit = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/core/bpf_jit_enable")).trim());
        } catch (IOException | NumberFormatException e) {
            // unreadable: reported as unknown
        }
        return new KernelInfo(KernelRelease.running().release(), pkg, jit);
    }

    /**
     * The distribution package version in a /proc/version line ({@code "Debian 5.10.223-1"}), or
     * null. The compiler's {@code "(Debian 10.2.1-6)"} comes first; the kernel's is the last one.
     */
    static String packageVersion(String procVersion) {
        String pkg = null;
        Matcher m = Pattern.compile("Debian ([0-9][^\\s)]*)").matcher(procVersion);
        while (m.find()) pkg = "Debian " + m.group(1);
        return pkg;
    }

    /** One run's state; every resource goes on {@link #closers} as soon as it exists. */
    private final class Run {
        private final Listener listener;
        private final Deque<AutoCloseable> closers = new ArrayDeque<>();
        private final List<Step> steps = new ArrayList<>();
        private final List<Prog> programs = new ArrayList<>();
        private final List<TcpEvent> events = new ArrayList<>();
        private final List<Connection> connections = new ArrayList<>();
        private Extension extension;
        private Owner ownerAfterLoad, ownerAfterPut;
        private Map<Integer, Integer> slots = Map.of();
        private long lost;

        Run(Listener listener) {
            this.listener = listener;
        }

        private void record(Step s) {
            steps.add(s);
            listener.step(s);
        }

        private Step failed(int n, String action, BpfException e) {
            List<String> log = e instanceof VerifierException ve ? ve.tail(25) : List.of();
            Step s = new Step(n, action, false, e.errno() == 0 ? "" : Errno.name(e.errno()), e.getMessage(), log);
            record(s);
            return s;
        }

        TailcallInFreplaceReport execute() {
            Outcome outcome;
            try {
                outcome = steps();
            } finally {
                closeAll();
            }
            TailcallInFreplaceReport partial = new TailcallInFreplaceReport(kernelInfo(), steps, programs, extension, ownerAfterLoad,
                    ownerAfterPut, slots, outcome, connections, events, lost, List.of(), true);
            TailcallExplainer.Result x = TailcallExplainer.explain(partial);
            return new TailcallInFreplaceReport(partial.kernel(), steps, programs, extension, ownerAfterLoad, ownerAfterPut, slots,
                    outcome, connections, events, lost, x.lines(), x.explained());
        }

        private Outcome steps() {
            // 1. load both objects
            BpfObject tc;
            String a1 = "load tailcall_tcpconn";
            try {
                tc = own(BpfObject.load(ToolObjects.spec(ToolObjects.TAILCALL_TCPCONN)));
            } catch (BpfException e) {
                failed(1, a1, e);
                return Outcome.LOAD_REFUSED;
            }
            for (String[] kp : KPROBES) programs.add(prog(kp[0], tc.program(kp[0])));
            record(Step.ok(1, a1, describe(tc)));

            BpfProgram firstTarget = tc.program(KPROBES.getFirst()[0]);
            ObjectSpec frSpec = ToolObjects.spec(ToolObjects.TAILCALL_FREPLACE);
            frSpec.updateProgram("freplace_handler", p -> p.withAttachTo(firstTarget, FUNCTION));
            ProgramSpec extDef = frSpec.program("freplace_handler");
            extension = new Extension("freplace_handler", extDef.type().kernelName(), KPROBES.getFirst()[0],
                    firstTarget.info().typeName(), FUNCTION, functionId(firstTarget, FUNCTION), helperCalls(extDef.instructions()));
            String a2 = "load tailcall_freplace (freplace_handler replaces " + FUNCTION + " of " + KPROBES.getFirst()[0]
                    + ", socks and events reused)";
            BpfObject fr;
            try {
                fr = own(BpfObject.load(frSpec, LoadOptions.defaults().replaceMap("socks", tc.map("socks"))
                        .replaceMap("events", tc.map("events"))));
            } catch (BpfException e) {
                failed(1, a2, e);
                return Outcome.LOAD_REFUSED;
            }
            BpfProgram tailcall = fr.program("k_tailcall"), ext = fr.program("freplace_handler");
            BpfMap progs = fr.map("progs");
            programs.add(prog("k_tailcall", tailcall));
            programs.add(prog("freplace_handler", ext));
            ownerAfterLoad = owner(progs);
            record(Step.ok(1, a2, describe(fr) + "; progs owner: " + ownerAfterLoad.describe()));

            // 2. pause for inspection from another shell
            if (options.pause()) {
                long deadline = deadline();
                try {
                    listener.paused(new Paused(ProcessHandle.current().pid(), progs.id(), progs.fd().raw(), tailcall.id(),
                            tailcall.fd().raw(), ext.id(), deadline));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop = true;
                }
                boolean late = System.nanoTime() >= deadline;
                record(Step.ok(2, "wait", stop ? "stopped" : late ? "--duration ran out" : "resumed"));
                if (stop || late) return Outcome.STOPPED_BEFORE_PUT;
            }

            // 3. put the tail callee in slot 0
            String a3 = "put k_tailcall (prog " + tailcall.id() + ") in progs[0]";
            ProgArray array = new ProgArray(progs);
            try {
                array.set(0, tailcall);
            } catch (BpfException e) {
                // The original demo's log line, with the errno text the kernel gave.
                record(new Step(3, a3, false, Errno.name(e.errno()), "update: " + Errno.describe(e.errno()), List.of()));
                return Outcome.PUT_REFUSED;
            }
            closers.push(() -> array.clear(0)); // as the demo's deferred Delete(0)
            ownerAfterPut = owner(progs);
            slots = array.slots();
            record(Step.ok(3, a3, "Put tailcall; progs owner: " + ownerAfterPut.describe()));

            // 4. the extension on both kprobe programs
            for (String[] kp : KPROBES) {
                BpfProgram target = tc.program(kp[0]);
                String a = "attach freplace_handler to " + kp[0];
                try {
                    BpfLink l = own(Links.freplace(ext, target, functionId(target, FUNCTION)));
                    record(Step.ok(4, a, "link " + l.info().id() + targetOf(l)));
                } catch (BpfException e) {
                    failed(4, a, e);
                    return Outcome.FREPLACE_ATTACH_REFUSED;
                }
            }

            // 5. the kprobes
            for (String[] kp : KPROBES) {
                String a = "attach kprobe " + kp[1] + " (" + kp[0] + ")";
                try {
                    own(tc.attach(kp[0]));
                    record(Step.ok(5, a, "attached"));
                } catch (BpfException e) {
                    failed(5, a, e);
                    return Outcome.KPROBE_ATTACH_REFUSED;
                }
            }

            // 6. events
            PerfReader reader = own(PerfReader.open(tc.map("events"), PerfReader.Options.DEFAULT));
            listener.attached();
            if (options.connections() > 0 && !stop) {
                connect(options.connections());
                record(Step.ok(6, "connect", options.connections() + " loopback TCP connection" + (options.connections() == 1 ? "" : "s")
                        + " to 127.0.0.1:" + connections.getFirst().serverPort()));
            }
            readEvents(reader);
            lost = reader.lost();
            record(Step.ok(6, "events", events.size() + " events read" + (lost > 0 ? ", " + lost + " lost" : "")
                    + (stop ? " (stopped)" : "")));
            return Outcome.RAN;
        }

        private void readEvents(PerfReader reader) {
            long deadline = deadline();
            PerfHandler h = new PerfHandler() {
                @Override
                public void onSample(int cpu, MemorySegment data) {
                    TcpEvent e = TcpEvent.decode(cpu, data);
                    events.add(e);
                    listener.event(e);
                }
            };
            long expected = 2L * options.connections();
            long graceEnd = Long.MAX_VALUE;
            while (!stop) {
                long now = System.nanoTime();
                if (now >= deadline || now >= graceEnd) break;
                int timeout = (int) Math.max(1, Math.min(100, (Math.min(deadline, graceEnd) - now) / 1_000_000));
                reader.poll(h, timeout);
                if (expected > 0 && graceEnd == Long.MAX_VALUE && ours(false) >= expected && ours(true) >= expected)
                    graceEnd = System.nanoTime() + 200_000_000L; // late duplicates still land in the report
            }
            reader.consume(h); // what arrived during the last poll interval
        }

        private long deadline() {
            return options.duration() == null ? Long.MAX_VALUE : System.nanoTime() + options.duration().toNanos();
        }

        private long ours(boolean freplace) {
            return events.stream().filter(e -> e.freplace() == freplace
                    && connections.stream().anyMatch(c -> e.between(c.clientPort(), c.serverPort()))).count();
        }

        private void connect(int n) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            try (ServerSocket server = new ServerSocket(0, n, lo)) {
                for (int i = 0; i < n; i++) {
                    try (Socket c = new Socket()) {
                        c.connect(new InetSocketAddress(lo, server.getLocalPort()), 2000);
                        try (Socket accepted = server.accept()) {
                            connections.add(new Connection(c.getLocalPort(), server.getLocalPort()));
                        }
                    }
                }
            } catch (IOException e) {
                throw new BpfException("connect to " + lo.getHostAddress() + ": " + e.getMessage() + " (is the loopback interface up?)");
            }
        }

        private <T extends AutoCloseable> T own(T c) {
            closers.push(c);
            return c;
        }

        private void closeAll() {
            RuntimeException first = null;
            while (!closers.isEmpty()) {
                try {
                    closers.pop().close();
                } catch (Exception e) {
                    if (first == null) first = e instanceof RuntimeException re ? re : new BpfException("close", e);
                }
            }
            if (first != null) throw first;
        }
    }

    private static Prog prog(String name, BpfProgram p) {
        var i = p.info();
        return new Prog(name, i.id(), i.typeName(), i.jited());
    }

    private static Owner owner(BpfMap map) {
        FdInfo f = FdInfo.of(map.fd());
        return new Owner(f.ownerProgTypeName(), f.ownerJited());
    }

    private static String describe(BpfObject o) {
        List<String> ps = new ArrayList<>(), ms = new ArrayList<>();
        for (var e : o.programs().entrySet()) ps.add(e.getKey() + " (prog " + e.getValue().id() + ", " + e.getValue().type().kernelName() + ")");
        for (var e : o.maps().entrySet()) ms.add(e.getKey() + " (map " + e.getValue().id() + ")");
        return String.join(", ", ps) + "; maps " + String.join(", ", ms);
    }

    /** The tracing link's target program, where the kernel reports it (5.13+: target_obj_id). */
    private static String targetOf(BpfLink l) {
        Object t = l.info().fields().get("target_obj_id");
        return t instanceof Integer id && id != 0 ? " (target prog " + id + ")" : "";
    }

    /** The helpers a program calls, in order, by their kernel names. */
    static List<String> helperCalls(List<Insn> insns) {
        List<String> out = new ArrayList<>();
        for (Insn i : insns) {
            if (!(i instanceof Insn.Call c) || c.kind() != CallKind.HELPER) continue;
            Helper h = c.helper();
            out.add(h == null ? "helper#" + c.imm() : h.kernelName());
        }
        return out;
    }

    /** The BTF id of {@code fn} in the BTF the kernel holds for {@code target}. */
    static int functionId(BpfProgram target, String fn) {
        int btfId = target.info().btfId();
        if (btfId == 0) throw new BpfException("freplace target " + target.name() + " has no BTF");
        try (BtfHandle h = BtfHandle.fromId(btfId)) {
            return Btf.parse(h.bytes()).findByName(fn, BtfKind.FUNC)
                    .orElseThrow(() -> new BpfException("freplace target " + target.name() + ": no function " + fn + " in its BTF")).id();
        }
    }
}
