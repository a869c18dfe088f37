package io.bpf4j.internal.sys;

import io.bpf4j.BpfException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Thin helpers over {@link Syscalls#bpf}: a per-thread scratch attr so hot map operations do
 * not allocate, and conversion of {@code -errno} into {@link BpfException} with a hint.
 */
public final class Bpf {
    private Bpf() {}

    /** Large enough for every attr in {@link Layouts}. */
    static final int SCRATCH_SIZE = 256;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE, 8));

    /**
     * A zeroed per-thread attr buffer of {@code size} bytes. Valid until the next call on this
     * thread; never hand it to another thread.
     */
    public static MemorySegment attr(long size) {
        MemorySegment s = SCRATCH.get();
        return s.asSlice(0, size).fill((byte) 0);
    }

    /** bpf(cmd, attr, size): the result, or {@code -errno}. */
    public static long call(BpfCmd cmd, MemorySegment attr) {
        return Syscalls.bpf(cmd.value(), attr, (int) attr.byteSize());
    }

    /** bpf(cmd, attr, size), throwing for a negative result; {@code op} names the operation. */
    public static long check(BpfCmd cmd, MemorySegment attr, String op) {
        long r = call(cmd, attr);
        if (r < 0) throw error(op, cmd, (int) -r);
        return r;
    }

    /** bpf(cmd...) returning a new object fd, owned by the caller. */
    public static Fd fd(BpfCmd cmd, MemorySegment attr, String op) {
        long r = call(cmd, attr);
        if (r < 0) throw error(op, cmd, (int) -r);
        return Fd.adopt((int) r, op);
    }

    /** An exception for a failed command, with a hint where the errno has a usual cause. */
    public static BpfException error(String op, BpfCmd cmd, int errno) {
        return new BpfException(op, errno, hint(cmd, errno));
    }

    static String hint(BpfCmd cmd, int errno) {
        boolean root = Syscalls.geteuid() == 0;
        return switch (errno) {
            case Errno.EPERM -> {
                if (!root) yield "bpf(2) needs root or CAP_BPF (+CAP_PERFMON/CAP_NET_ADMIN for some types)";
                long ml = Syscalls.memlockLimit();
                // memcg accounting replaced RLIMIT_MEMLOCK in 5.11 (97306be45fbe).
                if (ml != -1 && !KernelRelease.running().atLeast(5, 11) && (cmd == BpfCmd.MAP_CREATE || cmd == BpfCmd.PROG_LOAD || cmd == BpfCmd.BTF_LOAD))
                    yield "RLIMIT_MEMLOCK is " + ml + " bytes; kernels before 5.11 charge BPF memory to it: raise it";
                yield cmd == BpfCmd.PROG_LOAD
                        ? "refused before verification: privileges, lockdown or host policy forbid this program type"
                        : "refused by the kernel's policy (lockdown, LSM or sysctl)";
            }
            case Errno.E2BIG -> "the kernel does not know a field we set; it may be too old for this feature";
            case Errno.ENOSPC -> cmd == BpfCmd.PROG_LOAD ? "verifier log buffer too small" : "map is full";
            case Errno.ENOENT -> switch (cmd) {
                case MAP_LOOKUP_ELEM, MAP_DELETE_ELEM, MAP_GET_NEXT_KEY, MAP_LOOKUP_AND_DELETE_ELEM -> null;
                default -> "no such object (it may have been unloaded)";
            };
            case Errno.EBADF -> "not a valid BPF object file descriptor";
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "not supported by this map or program type on this kernel";
            case Errno.EACCES -> cmd == BpfCmd.PROG_LOAD ? "rejected by the verifier" : null;
            default -> null;
        };
    }
}
