/**
 * CO-RE: relocations recorded by clang in {@code .BTF.ext}, resolved against a target kernel's
 * BTF (field offsets, sizes, existence, type and enum relocations) and applied to instructions.
 *
 * <p>Pure. Depends on {@code io.bpf4j.btf} and {@code io.bpf4j.asm}.
 *
 * <p>Requires Linux 5.4 built with CONFIG_DEBUG_INFO_BTF to relocate against the running
 * kernel; against a BTF file, nothing of the kernel.
 */
package io.bpf4j.btf.core;
