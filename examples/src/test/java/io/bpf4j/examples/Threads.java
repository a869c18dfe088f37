package io.bpf4j.examples;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The calling thread as the kernel sees it, and the system call the examples' tests drive. */
public final class Threads {
    private Threads() {}

    private static final MethodHandle GETPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getpid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    /** getpid(2), through libc: one system call per call (glibc has not cached it since 2.25). */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The kernel's id of the calling thread (what a BPF program sees as the pid, not the tgid). */
    public static int tid() throws IOException {
        // /proc/thread-self -> "<tgid>/task/<tid>"
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** The calling thread's comm, as bpf_get_current_comm() reads it. */
    public static String comm() throws IOException {
        return Files.readString(Path.of("/proc/thread-self/comm")).strip();
    }
}
