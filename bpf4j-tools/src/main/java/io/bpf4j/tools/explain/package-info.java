/**
 * {@code explain}: runs a command under ptrace and, for each of its bpf() calls that fails, stops
 * the failing thread, gathers the call's objects and memory, re-verifies a refused program with a
 * log, adds the kernel's error path where kprobes exist, and names the cause from the knowledge
 * base ({@code io.bpf4j.explain.rules}). Failed calls are found by a raw tracepoint on sys_exit
 * (explain.bpf.c) or, where BPF cannot trace, by a seccomp filter that stops only bpf().
 *
 * <p>Depends on the library ({@code io.bpf4j}, {@code io.bpf4j.explain}) and
 * {@code io.bpf4j.tools.trace} (the kernel chain).
 *
 * <p>Requires Linux 5.8 for the raw tracepoint backend (bpf_send_signal_thread 5.5, ring buffer
 * 5.8), Linux 5.3 for the seccomp backend (PTRACE_GET_SYSCALL_INFO); x86-64.
 */
package io.bpf4j.tools.explain;
