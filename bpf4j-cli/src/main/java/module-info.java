/** The {@code bpf4j} command: picocli subcommands over the library, the tools and the lab. */
module io.bpf4j.cli {
    requires io.bpf4j;
    requires io.bpf4j.tools;
    requires io.bpf4j.lab;
    requires info.picocli;
    requires jdk.jshell;
    requires jdk.unsupported;

    // picocli reads and sets the commands' annotated fields reflectively.
    opens io.bpf4j.cli to info.picocli;
    opens io.bpf4j.cli.check to info.picocli;
    opens io.bpf4j.cli.explain to info.picocli;
    opens io.bpf4j.cli.inspect to info.picocli;
    opens io.bpf4j.cli.scenario to info.picocli;
    opens io.bpf4j.cli.shell to info.picocli;
    opens io.bpf4j.cli.top to info.picocli;
    opens io.bpf4j.cli.trace to info.picocli;
    opens io.bpf4j.cli.vm to info.picocli;
}
