/**
 * {@code bpf4j explain -- COMMAND}: the options of {@code io.bpf4j.tools.explain}, Ctrl-C handed
 * to COMMAND as a shell would (a second one detaches), and COMMAND's exit status as explain's.
 *
 * <p>Depends on {@code io.bpf4j.tools.explain}.
 *
 * <p>Requires Linux 5.8 (Linux 5.3 with {@code --backend seccomp}).
 */
package io.bpf4j.cli.explain;
