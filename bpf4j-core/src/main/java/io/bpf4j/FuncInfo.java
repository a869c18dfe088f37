package io.bpf4j;

/**
 * One {@code struct bpf_func_info}: the BTF {@code FUNC} that starts at an instruction. A program
 * loaded with BTF gives one per function (the main program at 0, then each subprogram);
 * {@link ProgInfo#funcInfo()} reads them back.
 *
 * @param insnOff the function's first instruction, in 8-byte slots from the program's start
 * @param typeId  the id of its {@code FUNC} in the program's BTF
 */
public record FuncInfo(int insnOff, int typeId) {
    /** Bytes per record in {@code BPF_PROG_LOAD} and {@code bpf_prog_info}. */
    public static final int RECORD_SIZE = 8;
}
