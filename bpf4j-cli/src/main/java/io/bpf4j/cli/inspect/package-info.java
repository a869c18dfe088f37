/**
 * {@code bpf4j inspect}: the programs, maps, links and BTF objects the kernel holds, in text or
 * JSON, with details from fdinfo and, where readable, kernel memory.
 *
 * <p>Depends on the library, {@code io.bpf4j.tools.kmem} and {@code io.bpf4j.cli.support}.
 *
 * <p>Requires Linux 5.10 and root (or CAP_SYS_ADMIN to open objects by id).
 */
package io.bpf4j.cli.inspect;
