package io.bpf4j.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Hidden: {@code bpf4j completion bash|zsh} prints the shell completion script picocli generates
 * from the command tree, so every command, option and option value it knows completes;
 * {@code source <(./bpf4j completion bash)} installs it. The script serves zsh too (through
 * zsh's bashcompinit).
 */
@Command(name = "completion", hidden = true,
        description = "Print a bash or zsh completion script for bpf4j: source <(bpf4j completion bash).")
final class CompletionCommand implements Runnable {
    /** The shells the script is for. */
    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", description = "The shell: bash or zsh.")
    Shell shell;

    @Override
    public void run() {
        System.out.print(AutoComplete.bash("bpf4j", RootCommand.commandLine(null)));
        System.out.flush();
    }
}
