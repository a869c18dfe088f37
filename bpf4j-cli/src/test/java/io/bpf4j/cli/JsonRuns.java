package io.bpf4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM's main for {@link JsonOutputTest}: runs each argument as a bpf4j command line
 * (words split at spaces) and prints its exit code and stdout between marker lines, so that
 * several commands cost one JVM start.
 */
public final class JsonRuns {
    private JsonRuns() {}

    static final String BEGIN = "=== run ", END = "=== end";

    public static void main(String[] lines) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        for (String line : lines) {
            CliRun r = CliRun.of(line.split(" "));
            out.println(BEGIN + r.exit() + " " + line);
            out.print(r.out());
            out.println(END);
            System.err.print(r.err());
        }
        System.exit(0);
    }
}
