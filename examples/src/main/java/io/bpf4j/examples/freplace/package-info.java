/**
 * freplace: an extension program ({@code BPF_PROG_TYPE_EXT}) replaces the global function that
 * gives an XDP program its verdict, proven by {@code BPF_PROG_TEST_RUN} before the replacement,
 * while it is attached, and after it is detached. The BPF side is
 * {@code examples/src/main/bpf/freplace_target.bpf.c} and {@code freplace.bpf.c}.
 *
 * <p>Depends on {@code io.bpf4j} and {@code io.bpf4j.loader}.
 *
 * <p>Requires Linux 5.6 (extension programs); the lab runs this example from 5.10.
 */
package io.bpf4j.examples.freplace;
