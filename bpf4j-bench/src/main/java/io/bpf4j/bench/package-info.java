/**
 * JMH benchmarks of the library and the tracer, each run next to a C/libbpf reference by
 * {@code bench/run}.
 *
 * <p>Depends on the library and {@code io.bpf4j.tools.trace}.
 *
 * <p>Requires Linux 5.10 and root for the benchmarks that load programs.
 */
package io.bpf4j.bench;
