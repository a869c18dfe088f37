package io.bpf4j.cli;

import io.bpf4j.cli.inspect.FastInspect;

import java.io.PrintStream;

/**
 * The {@code bpf4j} command's entry point. The forms a user runs most ({@code inspect} and
 * {@code --version}) are answered without picocli, whose classes the JVM's AOT cache cannot
 * keep (they are compiled for Java 5): loading them costs a cold start ~200 classes read and
 * verified from the jar. Everything else goes to {@link RootCommand}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Throwable e) {
            // What escaped the commands' handlers: a JVM error (out of memory, stack overflow) or a
            // bug. Still one line; the trace with BPF4J_DEBUG=1.
            System.out.flush();
            System.err.println("bpf4j: " + io.bpf4j.cli.support.Errors.message(e));
            if (io.bpf4j.cli.support.Errors.debug()) e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    /** Runs the command line and returns the exit code, without calling System.exit. */
    public static int run(String... args) {
        PrintStream out = System.out;
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            StringBuilder sb = new StringBuilder();
            for (String l : io.bpf4j.cli.support.Version.lines()) sb.append(l).append('\n');
            out.print(sb);
            out.flush();
            return 0;
        }
        int code = FastInspect.run(args, out, System.err);
        return code >= 0 ? code : RootCommand.run(args);
    }
}
