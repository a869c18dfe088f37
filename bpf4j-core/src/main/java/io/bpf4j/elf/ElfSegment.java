package io.bpf4j.elf;

/**
 * One program header: a segment of {@code fileSize} bytes at file {@code offset}, loaded at
 * {@code vaddr}. In {@code /proc/kcore} each PT_LOAD segment is a range of kernel memory.
 */
public record ElfSegment(int index, int type, int flags, long offset, long vaddr, long paddr, long fileSize, long memSize,
                         long align) {}
