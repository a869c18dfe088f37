/**
 * System calls through FFM, one downcall each, with errno captured together with the call, and
 * every {@code bpf_attr} and info struct as a {@link java.lang.foreign.MemoryLayout}. Results
 * are raw: a negative value is {@code -errno}; {@code io.bpf4j} builds the exceptions. Exported
 * to bpf4j's own modules only.
 *
 * <p>Depends on nothing of bpf4j's.
 *
 * <p>Requires Linux 5.10 on x86-64 or arm64.
 */
package io.bpf4j.internal.sys;
