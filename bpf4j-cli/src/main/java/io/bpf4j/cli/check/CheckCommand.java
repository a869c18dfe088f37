package io.bpf4j.cli.check;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bpf4j check}: detect known kernel issues on the running kernel by probing it. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Detect known kernel issues on the running kernel from what it does, not from its version.",
        subcommands = {TailcallCommand.class})
public final class CheckCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
