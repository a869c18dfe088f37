package io.bpf4j;

import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;

/**
 * Root of bpf4j's exceptions: an operation that failed, with the kernel's errno where one was
 * returned and a hint that tells the user what to do about it.
 *
 * <p>{@link #getMessage()} reads like cilium/ebpf's errors, {@code "update: invalid argument"},
 * followed by the hint where there is one, so a command line tool can print it as one line.
 */
public class BpfException extends RuntimeException {
    private final String op;
    private final int errno;
    private final String hint;

    public BpfException(String op, int errno, String hint) {
        this(op, errno, hint, null);
    }

    public BpfException(String op, int errno, String hint, Throwable cause) {
        super(format(op, errno, hint), cause);
        this.op = op;
        this.errno = errno;
        this.hint = hint;
    }

    /** For failures that did not come from a system call (bad input, a missing file...). */
    public BpfException(String message) {
        this(message, 0, null, null);
    }

    public BpfException(String message, Throwable cause) {
        this(message, 0, null, cause);
    }

    /**
     * The exception bpf4j raises when {@code cmd} fails with {@code errno}: {@code op} names the
     * operation ({@code "update"}), and the hint gives the errno's usual cause for that command.
     */
    public static BpfException of(String op, BpfCommand cmd, int errno) {
        return new BpfException(op, errno, hint(cmd, errno));
    }

    /**
     * As {@link #of(String, BpfCommand, int)}, for a call of this process whose attr is still at
     * hand: the hint then names the cause the knowledge base finds for it (the prog array's owner,
     * the frozen map, the index past max_entries...) and its fix, where a rule fits.
     *
     * @param attr the attr as it was passed; read before any other bpf(2) call on this thread
     */
    public static BpfException of(String op, BpfCommand cmd, int errno, MemorySegment attr) {
        String h = null;
        Explainer e = Explainers.FIRST;
        if (e != null && attr != null) {
            try {
                h = e.explain(cmd, errno, attr);
            } catch (RuntimeException ignored) {
                // an explanation is a courtesy: the failure itself is reported either way
            }
        }
        return new BpfException(op, errno, h != null ? h : hint(cmd, errno));
    }

    /**
     * Explains a failed call of this process for its hint. bpf4j's knowledge base
     * ({@code io.bpf4j.explain.rules}) provides one through {@link ServiceLoader}, so this
     * package does not depend on it.
     */
    public interface Explainer {
        /** "cause; fix" for the call, or null when no rule fits. */
        String explain(BpfCommand cmd, int errno, MemorySegment attr);
    }

    private static final class Explainers {
        static final Explainer FIRST = ServiceLoader.load(Explainer.class, BpfException.class.getClassLoader()).findFirst().orElse(null);
    }

    static String hint(BpfCommand cmd, int errno) {
        boolean root = Syscalls.geteuid() == 0;
        return switch (errno) {
            case Errno.EPERM -> {
                if (!root) yield "bpf(2) needs root or CAP_BPF (+CAP_PERFMON/CAP_NET_ADMIN for some types)";
                long ml = Syscalls.memlockLimit();
                // memcg accounting replaced RLIMIT_MEMLOCK in 5.11 (97306be45fbe).
                if (ml != -1 && !KernelRelease.running().atLeast(5, 11)
                        && (cmd == BpfCommand.MAP_CREATE || cmd == BpfCommand.PROG_LOAD || cmd == BpfCommand.BTF_LOAD))
                    yield "RLIMIT_MEMLOCK is " + ml + " bytes; kernels before 5.11 charge BPF memory to it: raise it";
                yield cmd == BpfCommand.PROG_LOAD
                        ? "refused before verification: privileges, lockdown or host policy forbid this program type"
                        : "refused by the kernel's policy (lockdown, LSM or sysctl)";
            }
            case Errno.E2BIG -> "the kernel does not know a field we set; it may be too old for this feature";
            case Errno.ENOSPC -> cmd == BpfCommand.PROG_LOAD ? "verifier log buffer too small" : "map is full";
            case Errno.ENOENT -> switch (cmd) {
                case MAP_LOOKUP_ELEM, MAP_DELETE_ELEM, MAP_GET_NEXT_KEY, MAP_LOOKUP_AND_DELETE_ELEM -> null;
                default -> "no such object (it may have been unloaded)";
            };
            case Errno.EBADF -> "not a valid BPF object file descriptor";
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "not supported by this map or program type on this kernel";
            case Errno.EACCES -> cmd == BpfCommand.PROG_LOAD ? "rejected by the verifier" : null;
            default -> null;
        };
    }

    private static String format(String op, int errno, String hint) {
        StringBuilder sb = new StringBuilder(op);
        if (errno != 0) sb.append(": ").append(Errno.describe(errno));
        if (hint != null && !hint.isEmpty()) sb.append(" (").append(hint).append(')');
        return sb.toString();
    }

    /** The operation, e.g. {@code "update"}, {@code "BPF_PROG_LOAD"} or {@code "parse BTF"}. */
    public String op() {
        return op;
    }

    /** The kernel's errno, or 0 when the failure did not come from a system call. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name ({@code "EINVAL"}), or {@code ""} for errno 0. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /** What the user can do about it, or {@code null}. */
    public String hint() {
        return hint;
    }
}
