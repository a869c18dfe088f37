package io.bpf4j;

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

    private static String format(String op, int errno, String hint) {
        StringBuilder sb = new StringBuilder(op);
        if (errno != 0) sb.append(": ").append(io.bpf4j.internal.sys.Errno.describe(errno));
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
        return errno == 0 ? "" : io.bpf4j.internal.sys.Errno.name(errno);
    }

    /** What the user can do about it, or {@code null}. */
    public String hint() {
        return hint;
    }
}
