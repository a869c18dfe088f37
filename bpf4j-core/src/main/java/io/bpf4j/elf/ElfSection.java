package io.bpf4j.elf;

/**
 * One section header. {@code offset} is already checked to lie inside the file together with
 * {@code size} (except for SHT_NOBITS, whose size occupies no file bytes).
 */
public record ElfSection(int index, String name, int type, long flags, long addr, long offset, long size,
                         int link, int info, long addrAlign, long entrySize) {
    public boolean executable() {
        return (flags & ElfFile.SHF_EXECINSTR) != 0;
    }

    public boolean writable() {
        return (flags & ElfFile.SHF_WRITE) != 0;
    }

    public boolean alloc() {
        return (flags & ElfFile.SHF_ALLOC) != 0;
    }
}
