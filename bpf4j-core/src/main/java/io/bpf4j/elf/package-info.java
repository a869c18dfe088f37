/**
 * A reader of 64-bit little-endian ELF files: sections, symbols and relocations, as BPF objects
 * and vmlinux images need them. Malformed input is a {@link io.bpf4j.BpfFormatException}.
 *
 * <p>Pure. Depends on {@code io.bpf4j} for its exceptions.
 *
 * <p>Requires nothing of the kernel.
 */
package io.bpf4j.elf;
