package io.bpf4j.cli;

import io.bpf4j.BpfException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code bpf4j} command: picocli dispatch and one-line error reporting. */
@Command(
        name = "bpf4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Pure-Java eBPF toolkit: inspect, trace, reproduce and check BPF on real kernels.",
        subcommands = {
            // One line per subcommand; keep this list sorted by name.
            CommandLine.HelpCommand.class,
            io.bpf4j.cli.BtfCommand.class,
            io.bpf4j.cli.check.CheckCommand.class,
            io.bpf4j.cli.inspect.InspectCommand.class,
            io.bpf4j.cli.shell.ShellCommand.class,
            io.bpf4j.cli.trace.TraceCommand.class,
            TrainCommand.class,
            io.bpf4j.cli.vm.MatrixCommand.class,
            io.bpf4j.cli.scenario.ScenarioCommand.class,
            io.bpf4j.cli.vm.VmCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code, without calling System.exit. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExpandAtFiles(false); // '@file' is an argument of ours (bpf4j trace -a @file), not picocli's argument file
        cl.setExecutionExceptionHandler(Main::handle);
        return cl.execute(args);
    }

    /**
     * Known failures become one line on stderr and exit code 1; a stack trace is printed only
     * with {@code BPF4J_DEBUG=1}, so a user on a kernel that refuses something sees why and
     * nothing else.
     */
    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        String name = cl.getCommandSpec().qualifiedName();
        String msg;
        if (e instanceof BpfException be) {
            msg = be.getMessage();
        } else if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) {
            msg = String.valueOf(e.getMessage());
        } else {
            msg = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        cl.getErr().println(name + ": " + msg);
        if ("1".equals(System.getenv("BPF4J_DEBUG"))) e.printStackTrace(cl.getErr());
        return 1;
    }

    /** Version from the jar manifest, plus the JVM that runs it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "bpf4j " + (v == null ? "dev" : v),
                "java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"
            };
        }
    }
}
