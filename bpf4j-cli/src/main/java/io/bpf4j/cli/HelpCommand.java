package io.bpf4j.cli;

import io.bpf4j.cli.support.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code bpf4j help [COMMAND...]}: the usage of a command at any depth ({@code help vm run}),
 * which picocli's own help command cannot show below the first level.
 */
@Command(name = "help",
        description = "Show the usage of bpf4j or of one of its commands, e.g. bpf4j help vm run.")
final class HelpCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The command, and its subcommands, to show.")
    List<String> path = new ArrayList<>();

    @Override
    public void run() {
        CommandLine target = spec.parent().commandLine();
        for (String name : path) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) throw new UsageException("no command '" + target.getCommandSpec().qualifiedName() + " " + name + "'"
                    + (target.getSubcommands().isEmpty() ? "" : " (" + target.getCommandSpec().qualifiedName() + " --help lists them)"));
            target = sub;
        }
        target.usage(System.out);
    }
}
