package io.bpf4j.cli;

import io.bpf4j.cli.support.Conventions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bpf4j} command as picocli sees it: subcommand dispatch, with the conventions every
 * command shares (help, version, one-line errors, exit codes) applied by {@link Conventions}.
 */
@Command(
        name = "bpf4j",
        mixinStandardHelpOptions = true,
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
        SUBCOMMANDS.put("completion", CompletionCommand.class);
        SUBCOMMANDS.put("explain", io.bpf4j.cli.explain.ExplainCommand.class);
        SUBCOMMANDS.put("help", HelpCommand.class);
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
        String only = args.length > 0 && SUBCOMMANDS.containsKey(args[0]) && SUBCOMMANDS.get(args[0]) != HelpCommand.class ? args[0]
                : args.length == 1 && (args[0].equals("--version") || args[0].equals("-V")) ? "" : null;
        return commandLine(only).execute(args);
    }

    /**
     * The command with subcommand {@code only} (none for "", all for null), conventions applied.
     * Tests and the completion script take all of them.
     */
    public static CommandLine commandLine(String only) {
        CommandLine cl = new CommandLine(new RootCommand());
        if (only == null) SUBCOMMANDS.forEach(cl::addSubcommand);
        else if (!only.isEmpty()) cl.addSubcommand(only, SUBCOMMANDS.get(only));
        cl.setExpandAtFiles(false); // '@file' is an argument of ours (bpf4j trace -a @file), not picocli's argument file
        return Conventions.apply(cl);
    }
}
