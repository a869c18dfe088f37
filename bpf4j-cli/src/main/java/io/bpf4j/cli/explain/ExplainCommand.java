package io.bpf4j.cli.explain;

import io.bpf4j.BpfException;
import io.bpf4j.tools.explain.Explain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bpf4j explain -- COMMAND}: why COMMAND's bpf() calls fail. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run COMMAND and say why each of its bpf() calls fails. "
                + "For each: the call decoded, the objects its fds named at that moment (the thread is stopped at the failure), the verifier's reason for a refused "
                + "program (loaded again with a log if the loader asked for none), the kernel's error path where the "
                + "kernel lets BPF trace it, and the cause with its fix from a knowledge base of the kernel's checks.",
                "Threads and children are followed. COMMAND's output and exit status are its own; explain writes "
                + "to stderr (or -o FILE) and ends with a one-line summary.",
                "Ctrl-C goes to COMMAND as in a shell; a second Ctrl-C detaches and leaves COMMAND running."})
public final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--all", description = "Print every bpf() call, not only failed ones.")
    boolean all;
    @Option(names = "--json", description = "One JSON object per call instead of text.")
    boolean json;
    @Option(names = "--kernel-chain", paramLabel = "auto|on|off", description = "The kernel functions that returned the error (needs kprobes). Default: auto.")
    String chain = "auto";
    @Option(names = "--backend", paramLabel = "auto|bpf|seccomp",
            description = "How failed calls are found: raw tracepoints on syscalls (bpf), or ptrace with a seccomp filter. Default: auto.")
    String backend = "auto";
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write explain's output here instead of stderr.")
    String output;
    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The command to run (after --).")
    List<String> command = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;


    @Override
    public Integer call() throws IOException {
        Explain.Options o;
        try {
            o = new Explain.Options(all, json, Enum.valueOf(Explain.Chain.class, chain.toUpperCase(java.util.Locale.ROOT)),
                    Enum.valueOf(Explain.Backend.class, backend.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kernel-chain takes auto, on or off; --backend auto, bpf or seccomp");
        }
        PrintStream out = output == null ? System.err
                : new PrintStream(new FileOutputStream(output), true, StandardCharsets.UTF_8);
        List<Runnable> restore = new ArrayList<>();
        try (Explain explain = new Explain(o, out)) {
            explain.prepare();
            SignalHandler onInt = s -> explain.interrupt(), onTerm = s -> explain.terminate();
            for (String[] sh : new String[][] {{"INT", "i"}, {"TERM", "t"}, {"HUP", "t"}}) {
                try {
                    Signal s = new Signal(sh[0]);
                    SignalHandler old = Signal.handle(s, sh[1].equals("i") ? onInt : onTerm);
                    restore.add(() -> Signal.handle(s, old));
                } catch (IllegalArgumentException e) {
                    // a signal the JVM keeps for itself
                }
            }
            return explain.run(command);
        } catch (BpfException e) {
            throw e;
        } finally {
            restore.forEach(Runnable::run);
            if (output != null) out.close();
        }
    }
}
