/**
 * CO-RE: relocations recorded by clang in {@code .BTF.ext}, resolved against a target kernel's
 * BTF (field offsets, sizes, existence, type and enum relocations) and applied to instructions.
 *
 * <p>Pure. Depends on {@code io.bpf4j.btf} and {@code io.bpf4j.asm}.
 *
 * <p>Requires the target kernel's BTF, so Linux 5.4 with CONFIG_DEBUG_INFO_BTF when relocating
 * against the running kernel.
 */
package io.bpf4j.btf.core;
