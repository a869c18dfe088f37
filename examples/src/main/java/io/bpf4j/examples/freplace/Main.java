package io.bpf4j.examples.freplace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfProgram;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Replaces the function {@code verdict()} of a loaded XDP program with an extension program
 * (freplace) and shows the program's answers before, during and after the replacement.
 *
 * <pre>
 * freplace [--runs N] [--min-len BYTES]
 * </pre>
 *
 * Each phase runs the XDP program N times (default 10) on a 64-byte and on a 256-byte frame
 * through BPF_PROG_TEST_RUN and prints {@code PHASE: 64 bytes VERDICT, 256 bytes VERDICT}. The
 * original {@code verdict()} passes every frame; the replacement drops frames shorter than
 * {@code --min-len} (default 128) and counts its calls, printed after the second phase.
 */
public final class Main {
    private Main() {}

    static final String[] VERDICTS = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
    static final int SHORT = 64, LONG = 256;

    /** Runs the example; exits 2 on a usage error, 1 if the kernel refuses what it needs. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int runs = 10, minLen = 128;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--min-len" -> minLen = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
            if (runs < 1) throw new IllegalArgumentException("--runs");
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println("usage: freplace [--runs N] [--min-len BYTES]");
            return 2;
        }

        try (BpfObject target = BpfObject.load(object("freplace_target.bpf.o"))) {
            BpfProgram filter = target.program("filter");
            out.println(phase("before", filter, runs));

            // An extension is loaded for one function of one loaded program: its BTF says which.
            ObjectSpec spec = object("freplace.bpf.o");
            spec.setVariable("min_len", minLen);
            spec.updateProgram("short_frames_dropped", p -> p.withAttachTo(filter, "verdict"));
            try (BpfObject ext = BpfObject.load(spec)) {
                try (BpfLink replaced = ext.attach("short_frames_dropped")) {
                    out.println(phase("replaced", filter, runs));
                }
                out.println("replacement called " + ext.variable("calls").get(JAVA_LONG, 0) + " times");
                out.println(phase("detached", filter, runs));
            }
            return 0;
        } catch (BpfException e) {
            err.println("freplace: " + e.getMessage());
            return 1;
        }
    }

    /** Test-runs the program {@code runs} times on each frame size; the verdict is the last run's. */
    static String phase(String name, BpfProgram filter, int runs) {
        return name + ": " + SHORT + " bytes " + verdict(filter.testRun(new byte[SHORT], runs).retval())
                + ", " + LONG + " bytes " + verdict(filter.testRun(new byte[LONG], runs).retval());
    }

    static String verdict(int v) {
        return v >= 0 && v < VERDICTS.length ? VERDICTS[v] : Integer.toString(v);
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
