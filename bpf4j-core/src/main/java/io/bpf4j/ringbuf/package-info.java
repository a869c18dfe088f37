/**
 * Reading a {@code BPF_MAP_TYPE_RINGBUF}: the consumer side of the kernel's ring buffer,
 * records handed to a handler in place, without allocation on the hot path.
 *
 * <p>Depends on {@code io.bpf4j}, {@code io.bpf4j.asm}, {@code io.bpf4j.internal} and
 * {@code io.bpf4j.internal.sys}.
 *
 * <p>Requires Linux 5.8.
 */
package io.bpf4j.ringbuf;
