/**
 * BPF objects as clang writes them: {@link io.bpf4j.loader.ObjectSpec} parses an ELF object
 * into programs, maps and global variables without touching the kernel (libbpf's section names,
 * BTF-defined maps, {@code .BTF.ext} func and line info, CO-RE relocations), and
 * {@link io.bpf4j.loader.BpfObject} creates them in the kernel.
 *
 * <p>Depends on {@code io.bpf4j}, {@code io.bpf4j.asm}, {@code io.bpf4j.btf},
 * {@code io.bpf4j.btf.core}, {@code io.bpf4j.elf} and {@code io.bpf4j.link}.
 *
 * <p>Requires Linux 5.10 to load; parsing requires nothing of the kernel.
 */
package io.bpf4j.loader;
