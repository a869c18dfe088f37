package io.bpf4j.examples.ringbuf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.ringbuf.RingBufReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Prints one line per system call entry, sent by a raw tracepoint program through a ring buffer.
 *
 * <pre>
 * ringbuf [--seconds N] [--pid PID] [--syscall NR]
 * </pre>
 *
 * {@code --pid} keeps one process's calls, {@code --syscall} one system call number (x86-64
 * numbering: 39 is getpid, 59 execve); the default is every call of every process. Each line is
 * {@code pid PID tid TID COMM syscall NR}; the last one counts the records read and those the
 * program dropped because the buffer was full.
 */
public final class Main {
    private Main() {}

    /** Runs the example; exits 2 on a usage error, 1 if the kernel refuses what it needs. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        long seconds = Long.MAX_VALUE / 1_000_000_000L;
        int pid = 0;
        long syscall = -1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Long.parseLong(args[++i]);
                    case "--pid" -> pid = Integer.parseInt(args[++i]);
                    case "--syscall" -> syscall = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println("usage: ringbuf [--seconds N] [--pid PID] [--syscall NR]");
            return 2;
        }

        ObjectSpec spec = object("ringbuf.bpf.o");
        spec.setVariable("target_tgid", pid);
        spec.setVariable("target_nr", syscall);
        try (BpfObject obj = BpfObject.load(spec);
             BpfLink sysEnter = obj.attach("on_sys_enter");
             RingBufReader events = RingBufReader.open(obj.map("events"))) {
            out.println("reading " + events.capacity() + "-byte ring buffer " + obj.map("events").name());
            long records = 0, deadline = System.nanoTime() + seconds * 1_000_000_000L;
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                // Each record is a view of the kernel's buffer, valid during the call.
                records += events.poll(record -> print(out, record), (int) Math.min(1000, Math.max(1, left / 1_000_000)));
            }
            records += events.consume(record -> print(out, record));
            long dropped = obj.variable("dropped").get(JAVA_LONG, 0);
            out.println(records + " records, " + dropped + " dropped");
            return 0;
        } catch (BpfException e) {
            err.println("ringbuf: " + e.getMessage());
            return 1;
        }
    }

    /** One record: struct event of ringbuf.bpf.c. */
    static void print(PrintStream out, MemorySegment record) {
        int pid = record.get(JAVA_INT, 0), tid = record.get(JAVA_INT, 4);
        long nr = record.get(JAVA_LONG, 8);
        String comm = record.asSlice(16, 16).getString(0);
        out.println("pid " + pid + " tid " + tid + " " + comm + " syscall " + nr);
    }

    /** Parses an object compiled from examples/src/main/bpf, one of this module's resources. */
    static ObjectSpec object(String file) {
        String path = "/io/bpf4j/examples/bpf/" + file;
        try (InputStream in = Main.class.getResourceAsStream(path)) {
            return ObjectSpec.read(in, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
