package io.bpf4j.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls of a process tracer: starting a process without the JDK's
 * {@code ProcessBuilder} (whose reaper thread would take the tracee's ptrace stops), ptrace,
 * waiting, reading another process's memory and duplicating its fds. Raw like {@link Syscalls}:
 * a negative result is {@code -errno}.
 */
public final class Processes {
    private Processes() {}

    private static final boolean X86 = Syscalls.X86_64;
    static final long SYS_PTRACE = X86 ? 101 : 117, SYS_KILL = X86 ? 62 : 129, SYS_TGKILL = X86 ? 234 : 131,
            SYS_GETTID = X86 ? 186 : 178, SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438,
            SYS_PROCESS_VM_READV = X86 ? 310 : 270, SYS_PROCESS_VM_WRITEV = X86 ? 311 : 271, SYS_WAIT4 = X86 ? 61 : 260;

    /** syscall(nr, a1..a6), every argument a register-wide integer. */
    private static final class Syscall6 {
        static final MethodHandle MH = Syscalls.variadicFrom(1, "syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    }

    private static long syscall(long nr, long a, long b, long c, long d, long e) {
        return syscall(nr, a, b, c, d, e, 0);
    }

    private static long syscall(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment st = Syscalls.state();
        try {
            long r = (long) Syscall6.MH.invokeExact(st, nr, a, b, c, d, e, f);
            return Syscalls.ret(r, st);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    // --- ptrace(2) -------------------------------------------------------------------------

    public static final int PTRACE_CONT = 7, PTRACE_KILL = 8, PTRACE_GETREGS = 12, PTRACE_SETREGS = 13, PTRACE_SYSCALL = 24,
            PTRACE_SETOPTIONS = 0x4200, PTRACE_GETEVENTMSG = 0x4201, PTRACE_GETSIGINFO = 0x4202, PTRACE_DETACH = 17,
            PTRACE_SEIZE = 0x4206, PTRACE_INTERRUPT = 0x4207, PTRACE_LISTEN = 0x4208, PTRACE_GET_SYSCALL_INFO = 0x420e;
    public static final int PTRACE_O_TRACESYSGOOD = 1, PTRACE_O_TRACEFORK = 1 << 1, PTRACE_O_TRACEVFORK = 1 << 2,
            PTRACE_O_TRACECLONE = 1 << 3, PTRACE_O_TRACEEXEC = 1 << 4, PTRACE_O_TRACESECCOMP = 1 << 7,
            PTRACE_O_EXITKILL = 1 << 20;
    public static final int PTRACE_EVENT_FORK = 1, PTRACE_EVENT_VFORK = 2, PTRACE_EVENT_CLONE = 3, PTRACE_EVENT_EXEC = 4,
            PTRACE_EVENT_SECCOMP = 7, PTRACE_EVENT_STOP = 128;

    /** ptrace(request, pid, addr, data), the raw system call. */
    public static long ptrace(int request, int pid, long addr, long data) {
        return syscall(SYS_PTRACE, request, pid, addr, data, 0);
    }

    // --- waiting and signals ------------------------------------------------------------------

    public static final int WNOHANG = 1, WUNTRACED = 2, __WNOTHREAD = 0x20000000, __WALL = 0x40000000;
    public static final int SIGINT = 2, SIGKILL = 9, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20,
            SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGTRAP = 5, SIGHUP = 1;

    /** {@code wait4(pid, &status, options, NULL)} into {@code status} (4 bytes): the pid, or {@code -errno}. */
    public static int wait(int pid, MemorySegment status, int options) {
        return (int) syscall(SYS_WAIT4, pid, status.address(), options, 0, 0);
    }

    public static boolean exited(int status) {
        return (status & 0x7f) == 0;
    }

    public static int exitStatus(int status) {
        return (status >> 8) & 0xff;
    }

    public static boolean signaled(int status) {
        int t = status & 0x7f;
        return t != 0 && t != 0x7f;
    }

    public static int termSig(int status) {
        return status & 0x7f;
    }

    public static boolean stopped(int status) {
        return (status & 0xff) == 0x7f;
    }

    public static int stopSig(int status) {
        return (status >> 8) & 0xff;
    }

    /** The PTRACE_EVENT_* of a ptrace event stop, or 0. */
    public static int event(int status) {
        return (status >>> 16) & 0xff;
    }

    public static int kill(int pid, int sig) {
        return (int) syscall(SYS_KILL, pid, sig, 0, 0, 0);
    }

    public static int tgkill(int tgid, int tid, int sig) {
        return (int) syscall(SYS_TGKILL, tgid, tid, sig, 0, 0);
    }

    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0, 0, 0);
    }

    // --- another process's memory and fds -----------------------------------------------------

    /**
     * process_vm_readv of {@code length} bytes at {@code remote} in {@code pid} into {@code local}:
     * the bytes read, or {@code -errno} (EFAULT for an unmapped address). Our own pid works too,
     * and turns a bad pointer into EFAULT instead of a crash.
     */
    public static long readMemory(int pid, MemorySegment local, long remote, long length) {
        return vm(SYS_PROCESS_VM_READV, pid, local, remote, length);
    }

    public static long writeMemory(int pid, MemorySegment local, long remote, long length) {
        return vm(SYS_PROCESS_VM_WRITEV, pid, local, remote, length);
    }

    private static final ThreadLocal<MemorySegment> IOVECS = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(32, 8));

    private static long vm(long nr, int pid, MemorySegment local, long remote, long length) {
        MemorySegment iov = IOVECS.get();
        iov.set(JAVA_LONG, 0, local.address());
        iov.set(JAVA_LONG, 8, length);
        iov.set(JAVA_LONG, 16, remote);
        iov.set(JAVA_LONG, 24, length);
        return syscall(nr, pid, iov.address(), 1, iov.address() + 16, 1, 0);
    }

    /** pidfd_open(pid, 0) (Linux 5.3). */
    public static int pidfdOpen(int pid) {
        return (int) syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0, 0);
    }

    /** pidfd_getfd(pidfd, fd, 0) (Linux 5.6): a close-on-exec duplicate of another process's fd. */
    public static int pidfdGetfd(int pidfd, int fd) {
        return (int) syscall(SYS_PIDFD_GETFD, pidfd, fd, 0, 0, 0);
    }

    // --- posix_spawn(3) -----------------------------------------------------------------------

    private static final class Spawn {
        static final MethodHandle SPAWN = Syscalls.fixed("posix_spawn", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle FA_INIT = Syscalls.fixed("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DESTROY = Syscalls.fixed("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DUP2 = Syscalls.fixed("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle FA_CLOSEFROM = Syscalls.fixed("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle AT_INIT = Syscalls.fixed("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle AT_DESTROY = Syscalls.fixed("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle AT_FLAGS = Syscalls.fixed("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_SHORT));
        static final MethodHandle AT_SIGMASK = Syscalls.fixed("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle AT_SIGDEF = Syscalls.fixed("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle AT_PGROUP = Syscalls.fixed("posix_spawnattr_setpgroup", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SIGEMPTY = Syscalls.fixed("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle SIGADD = Syscalls.fixed("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;

    /**
     * Starts {@code path} with {@code argv} and {@code envp} by posix_spawn(3) from the calling
     * thread (a tracer must spawn from the thread that will trace): the child gets an empty signal
     * mask, default dispositions for every catchable signal (the JVM ignores some), only fds 0-2
     * (after {@code dup2s}, pairs of from/to), and a process group of its own if {@code newGroup}.
     *
     * @return the pid, or {@code -errno}
     */
    public static int spawn(String path, String[] argv, String[] envp, int[] dup2s, boolean newGroup) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Syscalls.state();
            MemorySegment fa = a.allocate(256, 16), at = a.allocate(1024, 16), mask = a.allocate(128, 8), def = a.allocate(128, 8);
            MemorySegment pid = a.allocate(JAVA_INT);
            int r = (int) Spawn.FA_INIT.invokeExact(st, fa);
            if (r != 0) return -r;
            r = (int) Spawn.AT_INIT.invokeExact(st, at);
            if (r != 0) return -r;
            try {
                for (int i = 0; i + 1 < dup2s.length; i += 2) {
                    r = (int) Spawn.FA_DUP2.invokeExact(st, fa, dup2s[i], dup2s[i + 1]);
                    if (r != 0) return -r;
                }
                r = (int) Spawn.FA_CLOSEFROM.invokeExact(st, fa, 3);
                if (r != 0) return -r;
                r = (int) Spawn.SIGEMPTY.invokeExact(st, mask);
                r = (int) Spawn.SIGEMPTY.invokeExact(st, def);
                for (int s = 1; s < 65; s++) {
                    if (s == SIGKILL || s == SIGSTOP || s == 32 || s == 33) continue;
                    r = (int) Spawn.SIGADD.invokeExact(st, def, s);
                }
                r = (int) Spawn.AT_SIGMASK.invokeExact(st, at, mask);
                r = (int) Spawn.AT_SIGDEF.invokeExact(st, at, def);
                short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newGroup ? POSIX_SPAWN_SETPGROUP : 0));
                r = (int) Spawn.AT_FLAGS.invokeExact(st, at, flags);
                if (newGroup) r = (int) Spawn.AT_PGROUP.invokeExact(st, at, 0);
                MemorySegment args = strings(a, argv), env = strings(a, envp);
                r = (int) Spawn.SPAWN.invokeExact(st, pid, a.allocateFrom(path), fa, at, args, env);
                return r != 0 ? -r : pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) Spawn.FA_DESTROY.invokeExact(st, fa);
                ignored = (int) Spawn.AT_DESTROY.invokeExact(st, at);
            }
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    private static MemorySegment strings(Arena a, String[] s) {
        MemorySegment arr = a.allocate(ADDRESS, s.length + 1);
        for (int i = 0; i < s.length; i++) arr.setAtIndex(ADDRESS, i, a.allocateFrom(s[i]));
        arr.setAtIndex(ADDRESS, s.length, MemorySegment.NULL);
        return arr;
    }

    // --- pipes ----------------------------------------------------------------------------------

    private static final class Pipe2 {
        static final MethodHandle MH = Syscalls.fixed("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    /** pipe2(fds, O_CLOEXEC): {read, write}, or {@code {-errno}}. */
    public static int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            MemorySegment st = Syscalls.state();
            int r = (int) Pipe2.MH.invokeExact(st, fds, Syscalls.O_CLOEXEC);
            if (r < 0) return new int[] {(int) Syscalls.ret(r, st)};
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }
}
