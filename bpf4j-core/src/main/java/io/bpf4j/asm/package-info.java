/**
 * BPF instructions as values: the ISA up to cpu v4 ({@link io.bpf4j.asm.Insn}), an assembler
 * ({@link io.bpf4j.asm.Asm}), a decoder that also accepts what the verifier writes into xlated
 * code, and a disassembler that prints what {@code bpftool prog dump xlated} prints.
 *
 * <p>Pure: no system calls. Depends on {@code io.bpf4j} for its exceptions only.
 *
 * <p>Requires nothing of the kernel; loading cpu v4 instructions requires Linux 6.6.
 */
package io.bpf4j.asm;
