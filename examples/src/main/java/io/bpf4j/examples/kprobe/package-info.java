/**
 * kprobe counter: a kprobe on a kernel function (by default {@code __x64_sys_getpid}, the
 * getpid(2) system call on x86-64) counts calls in an array map, printed once a second. The
 * BPF side is {@code examples/src/main/bpf/kprobe.bpf.c}.
 *
 * <p>Depends on {@code io.bpf4j}, {@code io.bpf4j.loader} and {@code io.bpf4j.link}.
 *
 * <p>Requires Linux 5.10 built with CONFIG_KPROBE_EVENTS (global data in {@code .rodata}: 5.2;
 * the lab runs this example from 5.10).
 */
package io.bpf4j.examples.kprobe;
