package io.bpf4j.tools.top;

/**
 * A process that holds a program through a file descriptor.
 *
 * @param viaLink true when the process holds only a link fd to the program, no program fd
 */
public record Holder(int pid, String comm, boolean viaLink) {}
