/**
 * {@code bpf4j scenario}: the story's reproducer of {@code io.bpf4j.tools.scenario}.
 *
 * <p>Depends on {@code io.bpf4j.tools.scenario}, {@code io.bpf4j.tools.check} and
 * {@code io.bpf4j.cli.support}.
 *
 * <p>Requires Linux 5.10 with kprobes and EXT programs allowed.
 */
package io.bpf4j.cli.scenario;
