package io.bpf4j.loader;

/**
 * An {@code ld_imm64} that needs a map: its fd ({@code BPF_PSEUDO_MAP_FD}), or the address of
 * {@code offset} in a global data map's value ({@code BPF_PSEUDO_MAP_VALUE}). An extern symbol the
 * loader cannot provide is kept with a null map, so that the failure names it at load.
 */
public record MapRef(int insn, String map, boolean value, int offset, String extern) {}
