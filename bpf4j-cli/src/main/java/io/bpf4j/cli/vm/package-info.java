/**
 * {@code bpf4j vm} and {@code bpf4j matrix}: commands over the kernel lab of {@code io.bpf4j.lab}.
 *
 * <p>Depends on {@code io.bpf4j.lab} and {@code io.bpf4j.cli.support}.
 *
 * <p>Requires QEMU on the host.
 */
package io.bpf4j.cli.vm;
