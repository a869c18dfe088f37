/**
 * Tools built on the library, each in its own package, and the BPF objects they load
 * ({@link io.bpf4j.tools.ToolObjects}).
 *
 * <p>Depends on the library ({@code io.bpf4j} and its packages).
 *
 * <p>Requires Linux 5.10.
 */
package io.bpf4j.tools;
