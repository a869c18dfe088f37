/**
 * Kernel memory through {@code /proc/kcore}, typed by the kernel's BTF, in the manner of drgn:
 * BPF objects' fields that no system call shows (prog array owners and slots, poke entries,
 * extension targets, trampolines).
 *
 * <p>Depends on the library.
 *
 * <p>Requires Linux 5.10 with {@code /proc/kcore} readable (root, no lockdown) and kernel BTF.
 */
package io.bpf4j.tools.kmem;
