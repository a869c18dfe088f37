/**
 * The story's reproducer: a kprobe program put into a prog array that an freplace program
 * tail-calls through, step by step, with the outcome explained from what was observed.
 *
 * <p>Depends on the library and {@code io.bpf4j.tools.check}.
 *
 * <p>Requires Linux 5.10 with kprobes and EXT programs allowed.
 */
package io.bpf4j.tools.scenario;
