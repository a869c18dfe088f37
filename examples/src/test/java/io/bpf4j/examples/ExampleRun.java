package io.bpf4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An example's {@code run(args, out, err)} on its own thread in this JVM, as a user would start
 * its {@code main}, with its output collected line by line so a test can wait for a line, act,
 * and read what the example printed next. Closing interrupts the example (its try-with-resources
 * blocks close what it opened) and waits for it.
 */
public final class ExampleRun implements AutoCloseable {
    /** The signature of every example's {@code Main.run}. */
    @FunctionalInterface
    public interface Body {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile Integer exit;
    private volatile Throwable failure;

    private ExampleRun(String name, Body body, String... args) {
        PrintStream out = new PrintStream(new Lines(), true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        thread = new Thread(() -> {
            try {
                exit = body.run(args, out, errStream);
            } catch (Throwable t) {
                failure = t;
            } finally {
                synchronized (lines) {
                    lines.notifyAll();
                }
            }
        }, name);
    }

    /** Starts {@code body} with {@code args} on a thread named {@code name}. */
    public static ExampleRun start(String name, Body body, String... args) {
        ExampleRun r = new ExampleRun(name, body, args);
        r.thread.start();
        return r;
    }

    /** Everything printed so far, one line per element. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** What the example printed on stderr. */
    public String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /**
     * The first line at or after index {@code from} that matches; fails if the example ends or
     * {@code timeout} passes without one.
     */
    public String awaitLine(int from, Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            for (int i = from; ; ) {
                for (; i < lines.size(); i++) if (match.test(lines.get(i))) return lines.get(i);
                if (!thread.isAlive()) fail("the example ended (exit " + exit + ", " + failure + ", stderr: " + err().strip()
                        + ") without the line expected; it printed " + lines);
                long left = deadline - System.nanoTime();
                if (left <= 0) fail("no line expected within " + timeout + "; printed " + lines + ", stderr: " + err().strip());
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, 100_000_000L));
            }
        }
    }

    /** Waits for the example to return and gives its exit code; fails if it threw. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) fail("still running after " + timeout + "; printed " + lines());
        if (failure != null) throw new AssertionError("the example threw; stderr: " + err().strip(), failure);
        return exit;
    }

    /** Interrupts the example if it still runs and waits for it to return. */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(60_000);
        if (thread.isAlive()) fail("the example did not stop within a minute of an interrupt");
    }

    /** Collects the example's stdout as lines. */
    private final class Lines extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            synchronized (lines) {
                lines.add(line.toString(StandardCharsets.UTF_8));
                lines.notifyAll();
            }
            line.reset();
        }
    }
}
