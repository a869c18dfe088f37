package io.bpf4j.cli;

import io.bpf4j.cli.support.Errors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bpf4j} command as picocli sees it: subcommand dispatch and one-line error reporting. */
@Command(
        name = "bpf4j",
        mixinStandardHelpOptions = true,
        versionProvider = RootCommand.Version.class,
        description = "Pure-Java eBPF toolkit: inspect, trace, reproduce and check BPF on real kernels.",
        // Subcommands are added in run(): only the one being run, see SUBCOMMANDS.
        subcommands = {})
public final class RootCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Every subcommand, by name; keep sorted. picocli reflects over a command's whole tree when
     * it is added, which took ~200 ms of a cold JVM for all of them, so {@link #run} adds only
     * the one named on the command line (all of them for help, usage errors and no arguments).
     */
    static final java.util.Map<String, Class<?>> SUBCOMMANDS = new java.util.LinkedHashMap<>();
    static {
        SUBCOMMANDS.put("btf", io.bpf4j.cli.BtfCommand.class);
        SUBCOMMANDS.put("check", io.bpf4j.cli.check.CheckCommand.class);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand.class);
        SUBCOMMANDS.put("inspect", io.bpf4j.cli.inspect.InspectCommand.class);
        SUBCOMMANDS.put("matrix", io.bpf4j.cli.vm.MatrixCommand.class);
        SUBCOMMANDS.put("scenario", io.bpf4j.cli.scenario.ScenarioCommand.class);
        SUBCOMMANDS.put("shell", io.bpf4j.cli.shell.ShellCommand.class);
        SUBCOMMANDS.put("top", io.bpf4j.cli.top.TopCommand.class);
        SUBCOMMANDS.put("trace", io.bpf4j.cli.trace.TraceCommand.class);
        SUBCOMMANDS.put("vm", io.bpf4j.cli.vm.VmCommand.class);
        SUBCOMMANDS.put("__train", TrainCommand.class);
    }

    /** Runs the command line and returns the exit code, without calling System.exit. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new RootCommand());
        Class<?> only = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (only != null && only != CommandLine.HelpCommand.class) {
            cl.addSubcommand(args[0], only);
        } else if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // the version needs no subcommand
        } else {
            SUBCOMMANDS.forEach(cl::addSubcommand);
        }
        cl.setExpandAtFiles(false); // '@file' is an argument of ours (bpf4j trace -a @file), not picocli's argument file
        cl.setExecutionExceptionHandler(RootCommand::handle);
        return cl.execute(args);
    }

    /**
     * Known failures become one line on stderr and exit code 1; a stack trace is printed only
     * with {@code BPF4J_DEBUG=1}, so a user on a kernel that refuses something sees why and
     * nothing else.
     */
    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        String name = cl.getCommandSpec().qualifiedName();
        cl.getErr().println(name + ": " + Errors.message(e));
        if ("1".equals(System.getenv("BPF4J_DEBUG"))) e.printStackTrace(cl.getErr());
        return 1;
    }

    /** The version lines, as {@code --version} prints them. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return io.bpf4j.cli.support.Version.lines();
        }
    }
}
