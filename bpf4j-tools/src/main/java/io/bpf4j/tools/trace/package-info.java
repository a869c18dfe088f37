/**
 * A retsnoop-style tracer of kernel functions: sessions per thread started by entry functions,
 * results classified by each function's BTF return type, error stacks and call-trace tables.
 *
 * <p>Depends on the library.
 *
 * <p>Requires Linux 5.10 with kprobes (CONFIG_KPROBES) or fentry/fexit; kprobe.multi mode requires
 * Linux 5.18 built with CONFIG_FPROBE.
 */
package io.bpf4j.tools.trace;
