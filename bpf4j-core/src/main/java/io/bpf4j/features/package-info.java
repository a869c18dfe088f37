/**
 * Feature probes against the running kernel, in the manner of {@code bpftool feature probe}:
 * program types, map types and helpers, each answered by trying the smallest thing that needs it
 * (supported, not supported, or could not tell with the errno that made it ambiguous).
 *
 * <p>Depends on {@code io.bpf4j}, {@code io.bpf4j.asm} and {@code io.bpf4j.btf}.
 *
 * <p>Requires Linux 5.10; each probe answers for the running kernel, whatever its version.
 */
package io.bpf4j.features;
