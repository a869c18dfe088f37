package io.bpf4j;

/**
 * One {@code struct bpf_line_info}: the source line of an instruction, as offsets into the
 * program's BTF strings.
 *
 * @param insnOff     the instruction, in 8-byte slots from the program's start
 * @param fileNameOff the source file's name in the BTF strings
 * @param lineOff     the source line's text in the BTF strings
 * @param lineCol     line number {@code << 10} | column
 */
public record LineInfo(int insnOff, int fileNameOff, int lineOff, int lineCol) {
    /** Bytes per record in {@code BPF_PROG_LOAD}. */
    public static final int RECORD_SIZE = 16;

    public int line() {
        return lineCol >>> 10;
    }

    public int column() {
        return lineCol & 0x3ff;
    }
}
