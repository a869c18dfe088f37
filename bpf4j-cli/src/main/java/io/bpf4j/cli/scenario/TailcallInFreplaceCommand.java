package io.bpf4j.cli.scenario;

import io.bpf4j.cli.support.Converters;
import io.bpf4j.explain.KernelChange;
import io.bpf4j.internal.json.Json;
import io.bpf4j.tools.scenario.Explanation;
import io.bpf4j.tools.scenario.Step;
import io.bpf4j.tools.scenario.TailcallExplainer;
import io.bpf4j.tools.scenario.TailcallInFreplace;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport;
import io.bpf4j.tools.scenario.TcpEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code bpf4j scenario tailcall-in-freplace}: the "Failed to put tailcall" story on this kernel. */
@Command(name = "tailcall-in-freplace", mixinStandardHelpOptions = true,
        description = {"Reproduce the tailcall-in-freplace demo and explain what the kernel refuses. It has two",
                "kprobe programs calling a global stub_handler(), an freplace program replacing it with a tail",
                "call through a one-slot prog array, and a kprobe program k_tailcall for that slot. Steps: 1 load both objects, 2 (--wait) pause for inspection,",
                "3 put k_tailcall in progs[0], 4 attach the freplace program to both kprobe programs, 5 attach",
                "the kprobes, 6 print events. A refused step ends the run; the explanation says why, from the",
                "prog array owner (fdinfo), the program types, the errno and verifier log, and the known kernel",
                "change (commit, versions) that decides it. Needs kprobes (run it in the kernel lab otherwise).",
                "",
                "Exit status: 0 when the outcome was explained (a refused step included); 1 when the scenario",
                "could not run (no kprobes, a program type refused with EPERM, no loopback); 2 for a usage error;",
                "3 when the kernel did something no known change explains."})
public final class TailcallInFreplaceCommand implements Callable<Integer> {

    @Option(names = {"-w", "--wait"}, description = "After loading, wait for Enter or SIGINT/SIGTERM before the put, "
            + "so 'bpf4j inspect map --details' can be run from another shell.")
    boolean waitBeforePut;

    @Option(names = "--connect", paramLabel = "N", defaultValue = "0", converter = Converters.NonNegativeInt.class,
            description = "Make N loopback TCP connections after attaching, and end once their events arrived.")
    int connect;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "How long to read events (and the longest --wait), e.g. 10s, 500ms; loading is not counted. "
                    + "Default: until Ctrl-C, or until the connections' events arrived (at most 10s) with --connect.")
    Duration duration;

    @Option(names = "--json", description = "Print the whole run as one JSON record (and nothing else on stdout).")
    boolean json;

    @Override
    public Integer call() {
        Duration d = duration != null ? duration : connect > 0 ? Duration.ofSeconds(10) : null;
        TailcallInFreplace scenario = new TailcallInFreplace(new TailcallInFreplace.Options(connect, d, waitBeforePut));
        PrintStream out = System.out;
        Printer printer = new Printer(out, System.err, json);
        TailcallInFreplaceReport r;
        List<Runnable> restore = new ArrayList<>();
        try {
            TailcallInFreplace.requireKprobes();
            if (!json) out.println("kernel " + TailcallInFreplace.kernelInfo().describe());
            // Ctrl-C or TERM: during the wait it only ends the wait (as the demo's --wait); later it ends the run.
            // A background job of a non-interactive shell inherits SIGINT ignored, and the JVM keeps it so: TERM still works.
            SignalHandler h = sig -> {
                if (!printer.resume()) scenario.stop();
            };
            for (String name : List.of("INT", "TERM")) {
                Signal s = new Signal(name);
                SignalHandler old = Signal.handle(s, h);
                restore.add(() -> Signal.handle(s, old));
            }
            r = scenario.run(printer);
        } finally {
            restore.forEach(Runnable::run);
        }
        if (json) out.println(Json.write(json(r)));
        else out.print(text(r));
        out.flush();
        Step failed = r.failedStep();
        if (r.outcome() == TailcallInFreplaceReport.Outcome.LOAD_REFUSED && failed != null && "EPERM".equals(failed.errno())) return 1;
        return r.explained() ? 0 : 3;
    }

    /** Prints steps and events as they happen (text mode) and implements the --wait pause. */
    static final class Printer implements TailcallInFreplace.Listener {
        private final PrintStream out, err;
        private final boolean quiet;
        private volatile CountDownLatch pause;

        Printer(PrintStream out, PrintStream err, boolean quiet) {
            this.out = out;
            this.err = err;
            this.quiet = quiet;
        }

        /** Ends a pause in progress; false when none was in progress. */
        boolean resume() {
            CountDownLatch p = pause;
            if (p == null || p.getCount() == 0) return false;
            p.countDown();
            return true;
        }

        @Override
        public void step(Step s) {
            if (quiet) return;
            if (s.number() == 3 && !s.ok()) {
                out.println("3. " + s.action() + ": " + s.errno());
                out.println("Failed to put tailcall: " + s.message());
            } else {
                out.println(s.number() + ". " + s.action() + ": " + (s.ok() ? "" : "FAILED " + (s.errno().isEmpty() ? "" : s.errno() + ": ")) + s.message());
                for (String l : s.log()) out.println("   | " + l);
            }
            out.flush();
        }

        @Override
        public void event(TcpEvent e) {
            if (quiet) return;
            out.println(e.line());
            out.flush();
        }

        @Override
        public void paused(TailcallInFreplace.Paused p) throws InterruptedException {
            CountDownLatch latch = new CountDownLatch(1);
            pause = latch;
            (quiet ? err : out).println("2. waiting: press Enter or Ctrl-C, or send SIGTERM to pid " + p.pid() + ", to put k_tailcall (prog "
                    + p.tailcallProgId() + ") in progs (map " + p.progsMapId() + "); meanwhile: bpf4j inspect map --details");
            (quiet ? err : out).flush();
            Thread stdin = Thread.ofPlatform().daemon().name("bpf4j-wait-stdin").start(() -> {
                try {
                    int c;
                    while ((c = System.in.read()) != -1) if (c == '\n') {
                        latch.countDown();
                        return;
                    }
                    // EOF (stdin is /dev/null in the kernel lab): only a signal or --duration ends the wait
                } catch (IOException e) {
                    // no stdin: same as EOF
                }
            });
            try {
                long left = p.deadlineNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : p.deadlineNanos() - System.nanoTime();
                if (left == Long.MAX_VALUE) latch.await();
                else latch.await(Math.max(0, left), TimeUnit.NANOSECONDS);
            } finally {
                pause = null;
                if (stdin.isAlive() && latch.getCount() != 0) latch.countDown();
            }
        }
    }

    static String text(TailcallInFreplaceReport r) {
        StringBuilder sb = new StringBuilder("explanation:\n");
        int w = r.explanation().stream().mapToInt(x -> x.topic().length()).max().orElse(0);
        for (Explanation x : r.explanation()) {
            sb.append(String.format("  %-" + w + "s  ", x.topic()));
            if (x.change() != null) sb.append('[').append(x.change().shortId()).append(' ').append(x.state().label()).append("] ");
            sb.append(x.text());
            if (x.change() != null) sb.append(" (").append(x.change().title()).append("; ").append(x.change().versions()).append(')');
            sb.append('\n');
        }
        sb.append(TailcallExplainer.summary(r)).append('\n');
        return sb.toString();
    }

    static Map<String, Object> json(TailcallInFreplaceReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        // First, so a truncated view of the record (bpf4j matrix's last-line column) still says what happened.
        m.put("summary", TailcallExplainer.summary(r));
        m.put("scenario", "tailcall-in-freplace");
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("release", r.kernel().release());
        k.put("package", r.kernel().packageVersion());
        k.put("bpf_jit_enable", r.kernel().jitEnable());
        m.put("kernel", k);
        m.put("outcome", r.outcome().label());
        m.put("explained", r.explained());
        List<Object> steps = new ArrayList<>();
        for (Step s : r.steps()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("step", s.number());
            x.put("action", s.action());
            x.put("ok", s.ok());
            x.put("errno", s.errno());
            x.put("message", s.number() == 3 && !s.ok() ? "Failed to put tailcall: " + s.message() : s.message());
            if (!s.log().isEmpty()) x.put("verifier_log", s.log());
            steps.add(x);
        }
        m.put("steps", steps);
        List<Object> progs = new ArrayList<>();
        for (var p : r.programs()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", p.name());
            x.put("id", p.id());
            x.put("type", p.type());
            x.put("jited", p.jited());
            progs.add(x);
        }
        m.put("programs", progs);
        if (r.extension() != null) {
            var x = r.extension();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("program", x.program());
            e.put("type", x.type());
            e.put("target", x.target());
            e.put("target_type", x.targetType());
            e.put("function", x.function());
            e.put("btf_id", x.btfId());
            m.put("extension", e);
        }
        m.put("owner_after_load", owner(r.ownerAfterLoad()));
        m.put("owner_after_put", owner(r.ownerAfterPut()));
        Map<String, Object> slots = new LinkedHashMap<>();
        new java.util.TreeMap<>(r.slots()).forEach((i, id) -> slots.put(String.valueOf(i), id)); // by index, not Map.copyOf's order
        m.put("slots", slots);
        List<Object> conns = new ArrayList<>();
        for (var c : r.connections()) {
            Map<String, Object> x = new LinkedHashMap<>(); // Map.of's order changes from one JVM to the next
            x.put("client_port", c.clientPort());
            x.put("server_port", c.serverPort());
            conns.add(x);
        }
        m.put("connections", conns);
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kprobe", r.kprobeEvents());
        ev.put("freplace", r.freplaceEvents());
        ev.put("other", r.otherEvents());
        ev.put("lost", r.lost());
        List<Object> recs = new ArrayList<>();
        for (TcpEvent e : r.events()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("cpu", e.cpu());
            x.put("line", e.line());
            x.put("probe_type", e.probeType());
            recs.add(x);
        }
        ev.put("records", recs);
        m.put("events", ev);
        List<Object> expl = new ArrayList<>();
        for (Explanation x : r.explanation()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("topic", x.topic());
            e.put("text", x.text());
            KernelChange c = x.change();
            if (c != null) {
                e.put("commit", c.commit());
                e.put("title", c.title());
                e.put("versions", c.versions());
                e.put("state", x.state().label());
            }
            expl.add(e);
        }
        m.put("explanation", expl);
        return m;
    }

    private static Map<String, Object> owner(TailcallInFreplaceReport.Owner o) {
        if (o == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prog_type", o.type());
        m.put("jited", o.jited());
        m.put("source", "fdinfo");
        return m;
    }
}
