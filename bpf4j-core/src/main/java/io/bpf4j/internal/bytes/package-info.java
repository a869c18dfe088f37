/**
 * Little-endian integers in byte arrays, the one helper every parser and map key uses.
 * Exported to bpf4j's own modules only.
 *
 * <p>Depends on nothing of bpf4j's.
 *
 * <p>Requires nothing of the kernel.
 */
package io.bpf4j.internal.bytes;
