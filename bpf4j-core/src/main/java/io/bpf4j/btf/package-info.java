/**
 * BTF: every kind up to ENUM64, parsed from raw bytes, an ELF object or the kernel
 * ({@code /sys/kernel/btf}), split BTF on a base, lookups by name and id, an encoder and builder,
 * a raw dump identical to bpftool's, and a C dump ({@code vmlinux.h}) that clang compiles.
 *
 * <p>Parsing is pure; reading the kernel's BTF uses {@code io.bpf4j.internal.sys}. Depends on
 * {@code io.bpf4j} for its exceptions.
 *
 * <p>Requires Linux 5.4 built with CONFIG_DEBUG_INFO_BTF to read the kernel's own BTF
 * ({@code /sys/kernel/btf/vmlinux}); parsing requires nothing of the kernel. ENUM64 appears in
 * kernels' BTF from Linux 6.0.
 */
package io.bpf4j.btf;
