package io.bpf4j.elf;

/** One symbol table entry; {@code section} is st_shndx (0 undefined, 0xfff1 absolute, 0xfff2 common). */
public record ElfSymbol(int index, String name, int bind, int type, int other, int section, long value, long size) {
    public static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    public static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
    public static final int SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2;
    /** st_other visibility. */
    public static final int STV_DEFAULT = 0, STV_HIDDEN = 2;

    public boolean isGlobal() {
        return bind == STB_GLOBAL || bind == STB_WEAK;
    }

    public int visibility() {
        return other & 3;
    }
}
