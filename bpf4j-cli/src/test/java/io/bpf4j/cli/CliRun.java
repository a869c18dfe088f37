package io.bpf4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the bpf4j command in-process and captures what it prints. */
public record CliRun(int exit, String out, String err) {
    public static CliRun of(String... args) {
        return capture(() -> Main.run(args));
    }

    /** Through picocli's RootCommand even where Main answers without it (to compare the two). */
    public static CliRun picocli(String... args) {
        return capture(() -> RootCommand.run(args));
    }

    private static synchronized CliRun capture(java.util.function.IntSupplier command) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = command.getAsInt();
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
