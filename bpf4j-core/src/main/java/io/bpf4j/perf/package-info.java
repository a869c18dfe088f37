/**
 * Reading a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}: one mmap'ed ring per CPU, records and lost
 * counts handed to a handler in place.
 *
 * <p>Depends on {@code io.bpf4j}, {@code io.bpf4j.internal} and {@code io.bpf4j.internal.sys}.
 *
 * <p>Requires Linux 5.10.
 */
package io.bpf4j.perf;
