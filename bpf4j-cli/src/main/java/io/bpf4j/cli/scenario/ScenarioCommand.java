package io.bpf4j.cli.scenario;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bpf4j scenario}: reproduce a known BPF story step by step on the running kernel. */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = "Reproduce a BPF story end to end on the running kernel, reporting what the kernel did at each step and why.",
        subcommands = {TailcallInFreplaceCommand.class})
public final class ScenarioCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
