package io.bpf4j.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One FFM downcall per system call, each capturing errno together with the call so that no
 * later JVM activity can overwrite it. Results are returned raw: a negative value is
 * {@code -errno}. Callers turn that into exceptions; this class never throws for kernel errors.
 */
public final class Syscalls {
    private Syscalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayoutHolder CAPTURE = new StructLayoutHolder();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    static final boolean X86_64 = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> true;
        case "aarch64" -> false;
        default -> throw new ExceptionInInitializerError(
                "bpf4j supports x86-64 and arm64, not " + System.getProperty("os.arch"));
    };
    /** Syscall numbers differ per architecture (bpf and perf_event_open have no glibc wrappers). */
    static final long SYS_BPF = X86_64 ? 321 : 280;
    static final long SYS_PERF_EVENT_OPEN = X86_64 ? 298 : 241;
    static final long SYS_CLOSE = X86_64 ? 3 : 57;
    static final long SYS_READ = X86_64 ? 0 : 63;
    static final long SYS_OPENAT = X86_64 ? 257 : 56;
    static final long SYS_CLOCK_GETTIME = X86_64 ? 228 : 113;
    public static final int AT_FDCWD = -100;

    /**
     * syscall(3) with three arguments, the middle one a pointer: bpf(2), and with the same shape
     * close(2), read(2) and openat(2). It is the one downcall every command needs, linked
     * eagerly; the others are linked on first use. The scalars are passed as longs because
     * syscall(3) takes each variadic argument as a long (read's count is 64 bits wide).
     */
    private static final MethodHandle SYSCALL3 = variadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG));

    // Every other downcall is linked on first use, each in its own holder class: linking one
    // costs milliseconds of a cold JVM (method handle species, a spun stub class), and a
    // short-lived command such as `bpf4j inspect` needs none of them.
    private static final class Syscall5 {
        static final MethodHandle MH = variadic("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    private static final class DupFd {
        static final MethodHandle MH = variadicFrom(2, "fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Ioctl {
        static final MethodHandle MH = variadicFrom(2, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }
    private static final class Mmap {
        static final MethodHandle MH = fixed("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    private static final class Munmap {
        static final MethodHandle MH = fixed("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class EpollCreate1 {
        static final MethodHandle MH = fixed("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class EpollCtl {
        static final MethodHandle MH = fixed("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class EpollWait {
        static final MethodHandle MH = fixed("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    private static final class Eventfd {
        static final MethodHandle MH = fixed("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Write {
        static final MethodHandle MH = fixed("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class Sysconf {
        static final MethodHandle MH = fixed("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    }
    private static final class Getpid {
        static final MethodHandle MH = fixed("getpid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class Geteuid {
        static final MethodHandle MH = fixed("geteuid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class Setrlimit {
        static final MethodHandle MH = fixed("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class Getrlimit {
        static final MethodHandle MH = fixed("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static MethodHandle variadic(String name, FunctionDescriptor fd) {
        return variadicFrom(1, name, fd);
    }

    static MethodHandle variadicFrom(int first, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd,
                Linker.Option.firstVariadicArg(first), ERRNO);
    }

    static MethodHandle fixed(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd, ERRNO);
    }

    /** Per-thread errno capture buffer: allocated once, so hot calls do not allocate. */
    private static final class StructLayoutHolder {
        final MemoryLayout layout = Linker.Option.captureStateLayout();
        // An offset read with JAVA_INT rather than a layout-path VarHandle (or byteOffset of a
        // path): building those is a cost a cold JVM pays before its first bpf(2) call.
        final long errnoOffset = errnoOffset(layout);
        final ThreadLocal<MemorySegment> perThread =
                ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(layout));

        /** The member named errno, by its offset in the struct (its members in order, padding included). */
        static long errnoOffset(MemoryLayout layout) {
            long off = 0;
            for (MemoryLayout m : ((java.lang.foreign.StructLayout) layout).memberLayouts()) {
                if (m.name().isPresent() && m.name().get().equals("errno")) return off;
                off += m.byteSize();
            }
            throw new ExceptionInInitializerError("no errno in the capture state layout " + layout);
        }

        int errno(MemorySegment state) {
            return state.get(JAVA_INT, errnoOffset);
        }
    }

    static MemorySegment state() {
        return CAPTURE.perThread.get();
    }

    static long ret(long r, MemorySegment st) {
        return r >= 0 ? r : -CAPTURE.errno(st);
    }

    /**
     * Links the downcall every bpf(2) user needs, if not done yet. It is the largest fixed cost
     * of a short command on a cold JVM (~40 ms here even with the AOT cache: 46 classes, method
     * handle species, lambda forms and a stub, are spun), so one can start it on another thread
     * and prepare something else meanwhile.
     */
    public static void link() {
        // Class initialisation did it; a thread calling bpf() meanwhile waits for it.
    }

    /** bpf(2). Returns the result or {@code -errno}. */
    public static long bpf(int cmd, MemorySegment attr, int size) {
        MemorySegment st = state();
        try {
            long r = (long) SYSCALL3.invokeExact(st, SYS_BPF, (long) cmd, attr, (long) size);
            return ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** perf_event_open(2). Returns the fd or {@code -errno}. */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        MemorySegment st = state();
        try {
            long r = (long) Syscall5.MH.invokeExact(st, SYS_PERF_EVENT_OPEN, attr, pid, cpu, groupFd, flags);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * close(2), made through syscall(3) with bpf(2)'s argument shape (the kernel ignores the
     * unused arguments), so that closing needs no downcall of its own.
     */
    public static int close(int fd) {
        MemorySegment st = state();
        try {
            long r = (long) SYSCALL3.invokeExact(st, SYS_CLOSE, (long) fd, MemorySegment.NULL, 0L);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static final int F_DUPFD_CLOEXEC = 1030;

    /** fcntl(fd, F_DUPFD_CLOEXEC, min): a copy of fd numbered at least min. */
    public static int dupCloexec(int fd, int min) {
        MemorySegment st = state();
        try {
            int r = (int) DupFd.MH.invokeExact(st, fd, F_DUPFD_CLOEXEC, min);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(int fd, long request, long arg) {
        MemorySegment st = state();
        try {
            int r = (int) Ioctl.MH.invokeExact(st, fd, request, arg);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;

    /** mmap(2) of an fd: the mapping's address, or {@code -errno} (user addresses are positive). */
    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment st = state();
        try {
            MemorySegment r = (MemorySegment) Mmap.MH.invokeExact(st, MemorySegment.NULL, length, prot, flags, fd, offset);
            return r.address() == -1L ? -CAPTURE.errno(st) : r.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(MemorySegment addr, long length) {
        MemorySegment st = state();
        try {
            int r = (int) Munmap.MH.invokeExact(st, addr, length);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2), through bpf(2)'s downcall. Returns the count or {@code -errno}. */
    public static long read(int fd, MemorySegment buf, long count) {
        MemorySegment st = state();
        try {
            long r = (long) SYSCALL3.invokeExact(st, SYS_READ, (long) fd, buf, count);
            return ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;

    /** open(2) without O_CREAT (no mode is passed). Returns the fd or {@code -errno}. */
    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return open(a.allocateFrom(path), flags);
        }
    }

    /**
     * openat(AT_FDCWD, path, flags) of a NUL-terminated path, through bpf(2)'s downcall: no
     * downcall of its own, and the caller may keep the path in a reused buffer. Without O_CREAT
     * (no mode is passed). Returns the fd or {@code -errno}.
     */
    public static int open(MemorySegment path, int flags) {
        return openAt(AT_FDCWD, path, flags);
    }

    /** openat(dir, path, flags), as {@link #open(MemorySegment, int)} but relative to the directory fd {@code dir}. */
    public static int openAt(int dir, MemorySegment path, int flags) {
        MemorySegment st = state();
        try {
            long r = (long) SYSCALL3.invokeExact(st, SYS_OPENAT, (long) dir, path, (long) flags);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** clock_gettime(2)'s clock ids (uapi linux/time.h): wall-clock time, and time since boot including suspend. */
    public static final int CLOCK_REALTIME = 0, CLOCK_BOOTTIME = 7;

    /** clock_gettime(2) through bpf(2)'s downcall, in nanoseconds, or {@code -errno}. */
    public static long clockNanos(int clock) {
        MemorySegment st = state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(16, 8);
            long r = (long) SYSCALL3.invokeExact(st, SYS_CLOCK_GETTIME, (long) clock, ts, 0L);
            if (r < 0) return ret(r, st);
            return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int epollCreate() {
        MemorySegment st = state();
        try {
            int r = (int) EpollCreate1.MH.invokeExact(st, O_CLOEXEC);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLLIN = 1;
    /** struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned (16) on arm64. */
    public static final long EPOLL_EVENT_SIZE = X86_64 ? 12 : 16;

    /** epoll_ctl with EPOLLIN and a 64-bit cookie. */
    public static int epollCtl(int epfd, int op, int fd, long cookie) {
        MemorySegment st = state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EPOLL_EVENT_SIZE, 8);
            ev.set(JAVA_INT, 0, EPOLLIN);
            ev.set(ValueLayout.JAVA_LONG_UNALIGNED, X86_64 ? 4 : 8, cookie);
            int r = (int) EpollCtl.MH.invokeExact(st, epfd, op, fd, ev);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_wait into events (EPOLL_EVENT_SIZE each). Returns the count or -errno. */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMs) {
        MemorySegment st = state();
        try {
            int r = (int) EpollWait.MH.invokeExact(st, epfd, events, max, timeoutMs);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The cookie of the i-th event written by {@link #epollWait}. */
    public static long epollCookie(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EPOLL_EVENT_SIZE + (X86_64 ? 4 : 8));
    }

    public static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    /** eventfd(2): a counter fd, readable while non-zero; used to wake a thread blocked in epoll_wait. */
    public static int eventfd(int initval, int flags) {
        MemorySegment st = state();
        try {
            int r = (int) Eventfd.MH.invokeExact(st, initval, flags);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(int fd, MemorySegment buf, long count) {
        MemorySegment st = state();
        try {
            long r = (long) Write.MH.invokeExact(st, fd, buf, count);
            return ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final int SC_PAGESIZE = 30;
    private static volatile long pageSize;

    /** The MMU page size, the unit of every BPF and perf mapping (4 KiB on x86-64, 4-64 KiB on arm64). */
    public static long pageSize() {
        long p = pageSize;
        if (p == 0) {
            try {
                p = (long) Sysconf.MH.invokeExact(state(), SC_PAGESIZE);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (p <= 0) p = 4096;
            pageSize = p;
        }
        return p;
    }

    public static int getpid() {
        try {
            return (int) Getpid.MH.invokeExact(state());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) Geteuid.MH.invokeExact(state());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class Statfs {
        static final MethodHandle MH = fixed("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** statfs(2)'s f_type of the filesystem holding {@code path} (followed, /proc/PID/fd links too), or {@code -errno}. */
    public static long statfsType(String path) {
        MemorySegment st = state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256, 8);
            int r = (int) Statfs.MH.invokeExact(st, a.allocateFrom(path), buf);
            return r < 0 ? ret(r, st) : buf.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static final int RLIMIT_MEMLOCK = 8;

    /** Current soft RLIMIT_MEMLOCK; -1 means infinity. */
    public static long memlockLimit() {
        MemorySegment st = state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(16, 8);
            int r = (int) Getrlimit.MH.invokeExact(st, RLIMIT_MEMLOCK, rl);
            if (r < 0) return -2;
            return rl.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets RLIMIT_MEMLOCK to infinity (soft and hard). Returns 0 or -errno. */
    public static int raiseMemlock() {
        MemorySegment st = state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(16, 8);
            rl.set(JAVA_LONG, 0, -1L);
            rl.set(JAVA_LONG, 8, -1L);
            int r = (int) Setrlimit.MH.invokeExact(st, RLIMIT_MEMLOCK, rl);
            return (int) ret(r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
