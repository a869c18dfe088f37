/**
 * {@code bpf4j check}: the tail-call checks of {@code io.bpf4j.tools.check} as a table or JSON.
 *
 * <p>Depends on {@code io.bpf4j.tools.check} and {@code io.bpf4j.cli.support}.
 *
 * <p>Requires Linux 5.10 and root (or CAP_BPF with CAP_NET_ADMIN).
 */
package io.bpf4j.cli.check;
