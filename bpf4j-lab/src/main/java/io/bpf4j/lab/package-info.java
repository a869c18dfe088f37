/**
 * The kernel lab: Debian's kernels from its archive (package indexes, {@code .deb}, {@code ar},
 * {@code tar}), an initramfs that runs one command as root in the guest, and QEMU to boot it with
 * the host's root shared read-only.
 *
 * <p>Depends on {@code io.bpf4j} for its exceptions.
 *
 * <p>Requires QEMU on the host; runs any kernel Debian ships.
 */
package io.bpf4j.lab;
