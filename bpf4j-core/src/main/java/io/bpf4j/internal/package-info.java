/**
 * Internals above the system calls, shared by the library's packages: the epoll set with a
 * wake-up that the ring buffer and perf readers block in. Exported to bpf4j's own modules only.
 *
 * <p>Depends on {@code io.bpf4j} and {@code io.bpf4j.internal.sys}.
 *
 * <p>Requires nothing beyond what {@code io.bpf4j} requires.
 */
package io.bpf4j.internal;
