/**
 * The JSON writer behind every {@code --json} of the command: key order as given, no
 * non-finite numbers. Exported to bpf4j's own modules only.
 *
 * <p>Depends on nothing of bpf4j's.
 *
 * <p>Requires nothing of the kernel.
 */
package io.bpf4j.internal.json;
