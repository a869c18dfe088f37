/**
 * {@code bpf4j trace}: the tracer of {@code io.bpf4j.tools.trace} with retsnoop's options,
 * and file:line from a DWARF vmlinux.
 *
 * <p>Depends on {@code io.bpf4j.tools.trace}, the library and {@code io.bpf4j.cli.support}.
 *
 * <p>Requires Linux 5.10 with kprobes or fentry/fexit, and root.
 */
package io.bpf4j.cli.trace;
