/**
 * Tracepoint: a program on {@code sched/sched_process_exec} counts program executions by file
 * name in a hash map, printed once a second. The BPF side is
 * {@code examples/src/main/bpf/tracepoint.bpf.c}.
 *
 * <p>Depends on {@code io.bpf4j} and {@code io.bpf4j.loader}.
 *
 * <p>Requires Linux 5.5 (bpf_probe_read_kernel_str) with tracefs mounted; the lab runs this
 * example from 5.10.
 */
package io.bpf4j.examples.tracepoint;
