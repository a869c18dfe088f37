package io.bpf4j.cli.top;

import io.bpf4j.tools.top.TopSample;
import io.bpf4j.tools.top.TopSampler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bpf4j top}: a live view of what every BPF program costs, like Netflix's bpftop. Run-time
 * statistics are on only while it runs (BPF_ENABLE_STATS: an fd the kernel drops with the
 * process, however it ends).
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"Live view of what every BPF program costs, like bpftop.",
            "Per program: events/s, average run time, CPU share, recursion misses, the",
            "processes holding it and a sparkline of the last minute. Turns BPF run-time",
            "stats on while it runs (Linux 5.8+, CAP_SYS_ADMIN).",
            "Keys: q quit, s sort, / filter by name, Esc clear, arrows scroll."})
public final class TopCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "Time between samples: 1s, 500ms, 2.5s, 1m (100ms to 1h; default ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--sort", defaultValue = "runtime", paramLabel = "runtime|rate|avg",
            description = "Order: run time in the interval, events per second, or average run time (default ${DEFAULT-VALUE}).")
    String sort;

    @Option(names = "--filter", defaultValue = "", paramLabel = "TEXT",
            description = "Only programs whose name contains TEXT (any case); in the live view, / changes it.")
    String filter;

    @Option(names = "--once", description = "Print one sample (two reads an interval apart) as a table and exit.")
    boolean once;

    @Option(names = "--json", description = "Print one sample as JSON and exit.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        long intervalNs;
        try {
            intervalNs = Interval.parse(interval);
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        Sort order = Sort.parse(sort);
        if (order == null) return usage(err, "--sort: '" + sort + "' is not one of runtime, rate, avg");
        if (!once && !json && !Tty.interactive())
            return usage(err, "the live view needs a terminal on stdin and stdout; use --once or --json");

        try (TopSampler sampler = TopSampler.start()) {
            if (once || json) {
                Thread.sleep(intervalNs / 1_000_000, (int) (intervalNs % 1_000_000));
                TopSample s = sampler.sample();
                PrintWriter out = spec.commandLine().getOut();
                out.print(json ? TopJson.write(s, order, filter) + "\n" : TopTable.once(s, order, filter));
                out.flush();
                return 0;
            }
            live(sampler, intervalNs, order, filter);
            return 0;
        }
    }

    private static int usage(PrintWriter err, String message) {
        err.println("bpf4j top: " + message);
        err.flush();
        return 2;
    }

    /**
     * The live view until q. Samples are taken on a thread of their own, so keys and resizes are
     * handled while a walk over many programs runs (10,000 programs take ~0.6 s here). The
     * terminal is put back on every way out: q and errors through finally, Ctrl-C and SIGTERM
     * through a shutdown hook (the JVM runs hooks on both).
     */
    private static void live(TopSampler sampler, long intervalNs, Sort order, String filter) {
        Tty tty = new Tty();
        TopScreen screen = new TopScreen(intervalNs, order);
        screen.filter = filter;
        Thread hook = new Thread(tty::restore, "bpf4j-top-restore");
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicReference<TopSample> latest = new AtomicReference<>();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sampling = Thread.ofPlatform().daemon().name("bpf4j-top-sampler").start(() -> {
            long next = System.nanoTime() + intervalNs;
            try {
                while (!stop.get()) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                        continue;
                    }
                    latest.set(sampler.sample());
                    // Paced from the schedule, not from now, so the reads stay an interval apart on
                    // average; after a stall (a stopped process, a walk longer than the interval)
                    // start over from now.
                    next += intervalNs;
                    if (next < System.nanoTime()) next = System.nanoTime() + intervalNs;
                }
            } catch (RuntimeException e) {
                failed.set(e);
            }
        });
        try {
            tty.enter();
            int[] size = tty.size();
            TopSample shown = null;
            boolean dirty = true;
            while (!screen.quit) {
                if (failed.get() != null) throw failed.get();
                TopSample sample = latest.get();
                if (sample != shown) dirty = true;
                if (dirty) {
                    size = tty.size(); // a frame of the old size would wrap in a smaller window
                    tty.draw(screen.frame(sample, sampler.history(), size[0], size[1], LocalTime.now()));
                    shown = sample;
                    dirty = false;
                }
                // Wake every 100 ms: for a new sample, and to poll the window size (the JVM has
                // no SIGWINCH handler).
                String keys = tty.readKeys(100);
                if (!keys.isEmpty()) dirty |= screen.keys(keys, size[0] - TopScreen.ABOVE - TopScreen.BELOW);
                int[] now = tty.size();
                if (now[0] != size[0] || now[1] != size[1]) dirty = true;
            }
        } finally {
            stop.set(true);
            LockSupport.unpark(sampling);
            tty.restore();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
            // A walk in progress may take a while with thousands of programs; it only reads, so q
            // does not wait for it (a daemon thread, gone with the JVM).
            try {
                sampling.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
