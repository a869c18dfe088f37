package io.bpf4j.examples.kprobe;

import io.bpf4j.ArrayMapView;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.link.Links;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Counts calls of a kernel function with a kprobe and prints the count once a second.
 *
 * <pre>
 * kprobe [--seconds N] [--pid PID] [FUNCTION]
 * </pre>
 *
 * {@code FUNCTION} defaults to {@code __x64_sys_getpid}; {@code --pid} counts only the calls made
 * by one process; {@code --seconds} stops after N seconds (default: until interrupted).
 */
public final class Main {
    private Main() {}

    /** Runs the example; exits 2 on a usage error, 1 if the kernel refuses what it needs. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        String function = "__x64_sys_getpid";
        long seconds = Long.MAX_VALUE;
        int pid = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Long.parseLong(args[++i]);
                    case "--pid" -> pid = Integer.parseInt(args[++i]);
                    default -> {
                        if (args[i].startsWith("-")) throw new IllegalArgumentException(args[i]);
                        function = args[i];
                    }
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println("usage: kprobe [--seconds N] [--pid PID] [FUNCTION]");
            return 2;
        }

        ObjectSpec spec = object("kprobe.bpf.o");
        spec.setVariable("target_tgid", pid); // before loading: it lives in the frozen .rodata
        try (BpfObject obj = BpfObject.load(spec);
             BpfLink kprobe = Links.kprobe(obj.program("count_calls"), function, 0, false)) {
            ArrayMapView calls = new ArrayMapView(obj.map("calls"));
            out.println("kprobe on " + function + (pid == 0 ? "" : ", process " + pid) + "; counting");
            for (long s = 0; s < seconds; s++) {
                Thread.sleep(1000);
                out.println(function + " called " + calls.getLong(0) + " times");
            }
            return 0;
        } catch (BpfException e) {
            err.println("kprobe: " + e.getMessage());
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
