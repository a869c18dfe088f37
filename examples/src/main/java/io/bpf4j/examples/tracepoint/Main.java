package io.bpf4j.examples.tracepoint;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.HashMapView;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * Counts program executions by file name with a tracepoint program on
 * {@code sched/sched_process_exec}, and prints the counts once a second.
 *
 * <pre>
 * tracepoint [--seconds N]
 * </pre>
 *
 * Each report is a line {@code after N s: E execs} followed by one line per file name, most
 * executed first: its count, a space, and the name (at most 63 bytes of it).
 */
public final class Main {
    private Main() {}

    /** The map's key: a file name in a NUL-padded 64-byte array (NAME_LEN of tracepoint.bpf.c). */
    static final int NAME_LEN = 64;

    /** File names as the map's keys: NUL-padded bytes, read back up to the first NUL. */
    static final HashMapView.Codec<String> NAME = new HashMapView.Codec<>(
            s -> Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), NAME_LEN),
            b -> {
                int n = 0;
                while (n < b.length && b[n] != 0) n++;
                return new String(b, 0, n, StandardCharsets.UTF_8);
            });

    /** Runs the example; exits 2 on a usage error, 1 if the kernel refuses what it needs. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        long seconds = Long.MAX_VALUE;
        try {
            for (int i = 0; i < args.length; i++) {
                if (!args[i].equals("--seconds")) throw new IllegalArgumentException(args[i]);
                seconds = Long.parseLong(args[++i]);
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println("usage: tracepoint [--seconds N]");
            return 2;
        }

        try (BpfObject obj = BpfObject.load(object("tracepoint.bpf.o"));
             BpfLink tracepoint = obj.attach("count_exec")) {
            HashMapView<String, Long> execs = new HashMapView<>(obj.map("execs"), NAME, HashMapView.Codec.U64);
            out.println("counting execs (sched/sched_process_exec)");
            for (long s = 1; s <= seconds; s++) {
                Thread.sleep(1000);
                Map<String, Long> counts = execs.entries();
                out.println("after " + s + " s: " + counts.values().stream().mapToLong(Long::longValue).sum() + " execs");
                counts.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                        .forEach(e -> out.println(e.getValue() + " " + e.getKey()));
            }
            return 0;
        } catch (BpfException e) {
            err.println("tracepoint: " + e.getMessage());
            return 1;
        }
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
