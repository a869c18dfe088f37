/**
 * Attaching programs: kprobes and kretprobes (perf events, tracefs events, kprobe.multi),
 * fentry/fexit, raw tracepoints, tracepoints, freplace, XDP and iterators, each as a
 * {@link io.bpf4j.BpfLink}.
 *
 * <p>Depends on {@code io.bpf4j} and {@code io.bpf4j.internal.sys}.
 *
 * <p>Requires Linux 5.10; kprobe.multi requires Linux 5.18 built with CONFIG_FPROBE, and BPF
 * cookies require Linux 5.15.
 */
package io.bpf4j.link;
