/**
 * Ring buffer reader: a raw tracepoint program on {@code sys_enter} writes one record per system
 * call of the chosen process and syscall number to a {@code BPF_MAP_TYPE_RINGBUF}, read in place
 * by {@link io.bpf4j.ringbuf.RingBufReader}. The BPF side is
 * {@code examples/src/main/bpf/ringbuf.bpf.c}.
 *
 * <p>Depends on {@code io.bpf4j}, {@code io.bpf4j.loader} and {@code io.bpf4j.ringbuf}.
 *
 * <p>Requires Linux 5.8 (ring buffer maps).
 */
package io.bpf4j.examples.ringbuf;
