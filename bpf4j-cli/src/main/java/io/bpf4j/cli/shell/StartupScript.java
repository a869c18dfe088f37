package io.bpf4j.cli.shell;

import io.bpf4j.BpfException;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The shell's startup snippets in an anonymous memory file (memfd_create(2), Linux 3.17), which
 * JShell reads as {@code /proc/self/fd/N}: no file is ever created, so however the shell ends
 * (SIGKILL included) nothing is left behind in /tmp. The kernel frees the memory with the fd.
 */
final class StartupScript implements AutoCloseable {
    private static final int MFD_CLOEXEC = 1;
    private static final MethodHandle MEMFD_CREATE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("memfd_create").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private final int fd;

    private StartupScript(int fd) {
        this.fd = fd;
    }

    /** A memory file holding {@code text}. */
    static StartupScript of(String text) {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) MEMFD_CREATE.invokeExact(a.allocateFrom("bpf4j-shell.jsh"), MFD_CLOEXEC);
            if (fd < 0) throw new BpfException("memfd_create for the shell's startup snippets failed");
            StartupScript s = new StartupScript(fd);
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = a.allocate(Math.max(1, b.length));
            MemorySegment.copy(MemorySegment.ofArray(b), 0, buf, 0, b.length);
            for (long off = 0; off < b.length; ) {
                long n = Syscalls.write(fd, buf.asSlice(off), b.length - off);
                if (n <= 0) {
                    s.close();
                    throw new BpfException("write the shell's startup snippets: errno " + -n);
                }
                off += n;
            }
            return s;
        } catch (BpfException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The path JShell opens to read the snippets (a new open file, from offset 0). */
    String path() {
        return "/proc/self/fd/" + fd;
    }

    @Override
    public void close() {
        Syscalls.close(fd);
    }
}
