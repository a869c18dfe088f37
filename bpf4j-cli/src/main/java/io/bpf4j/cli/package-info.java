/**
 * The {@code bpf4j} command: {@link io.bpf4j.cli.Main} (the entry point, which answers the
 * commonest forms without picocli) and {@link io.bpf4j.cli.RootCommand} (the picocli root).
 *
 * <p>Depends on every command package below it, the tools, the lab and the library.
 *
 * <p>Requires what the command it runs requires.
 */
package io.bpf4j.cli;
