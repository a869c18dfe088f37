package io.bpf4j.elf;

/**
 * One relocation: at byte {@code offset} of the section it applies to, of {@code type}, against
 * symbol {@code symbol}, with the explicit addend of a {@code .rela} entry (0 for {@code .rel}).
 */
public record ElfRelocation(long offset, int symbol, int type, long addend) {
    /** BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def). */
    public static final int R_BPF_NONE = 0, R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_ABS32 = 3,
            R_BPF_64_NODYLD32 = 4, R_BPF_64_32 = 10;
}
