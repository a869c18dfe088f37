package io.bpf4j.internal.sys;

/** Linux errno numbers (x86-64 and arm64 share them) with their names and strerror text. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6,
            E2BIG = 7, ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19,
            ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
            EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32,
            EDOM = 33, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38,
            ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42, ENODATA = 61, ETIME = 62, EOVERFLOW = 75,
            EBADFD = 77, EOPNOTSUPP = 95, EADDRINUSE = 98, EADDRNOTAVAIL = 99,
            ENETDOWN = 100, ETIMEDOUT = 110, ECONNREFUSED = 111, EALREADY = 114,
            EINPROGRESS = 115, ENOTSUPP = 524;

    /** The symbolic name, e.g. {@code EINVAL}; {@code errno N} for numbers we do not know. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case ESRCH -> "ESRCH";
            case EINTR -> "EINTR"; case EIO -> "EIO"; case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG"; case ENOEXEC -> "ENOEXEC"; case EBADF -> "EBADF";
            case ECHILD -> "ECHILD"; case EAGAIN -> "EAGAIN"; case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES"; case EFAULT -> "EFAULT"; case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST"; case EXDEV -> "EXDEV"; case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR"; case EISDIR -> "EISDIR"; case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE"; case EMFILE -> "EMFILE"; case ENOTTY -> "ENOTTY";
            case EFBIG -> "EFBIG"; case ENOSPC -> "ENOSPC"; case ESPIPE -> "ESPIPE";
            case EROFS -> "EROFS"; case EMLINK -> "EMLINK"; case EPIPE -> "EPIPE";
            case EDOM -> "EDOM"; case ERANGE -> "ERANGE"; case EDEADLK -> "EDEADLK";
            case ENAMETOOLONG -> "ENAMETOOLONG"; case ENOLCK -> "ENOLCK"; case ENOSYS -> "ENOSYS";
            case ENOTEMPTY -> "ENOTEMPTY"; case ELOOP -> "ELOOP"; case ENOMSG -> "ENOMSG";
            case ENODATA -> "ENODATA"; case ETIME -> "ETIME"; case EOVERFLOW -> "EOVERFLOW";
            case EBADFD -> "EBADFD"; case EOPNOTSUPP -> "EOPNOTSUPP";
            case EADDRINUSE -> "EADDRINUSE"; case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETDOWN -> "ENETDOWN"; case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED"; case EALREADY -> "EALREADY";
            case EINPROGRESS -> "EINPROGRESS"; case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + errno;
        };
    }

    /** The errno number for a symbolic name, or -1. */
    public static int byName(String name) {
        for (int i = 1; i < 600; i++) if (name(i).equals(name)) return i;
        return -1;
    }

    /** glibc's strerror text in lower case, as Go and cilium/ebpf print it. */
    public static String message(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such file or directory";
            case ESRCH -> "no such process";
            case EINTR -> "interrupted system call";
            case EIO -> "input/output error";
            case E2BIG -> "argument list too long";
            case EBADF -> "bad file descriptor";
            case EAGAIN -> "resource temporarily unavailable";
            case ENOMEM -> "cannot allocate memory";
            case EACCES -> "permission denied";
            case EFAULT -> "bad address";
            case EBUSY -> "device or resource busy";
            case EEXIST -> "file exists";
            case EXDEV -> "invalid cross-device link";
            case ENODEV -> "no such device";
            case ENOTDIR -> "not a directory";
            case EINVAL -> "invalid argument";
            case EMFILE -> "too many open files";
            case ENOTTY -> "inappropriate ioctl for device";
            case EFBIG -> "file too large";
            case ENOSPC -> "no space left on device";
            case ERANGE -> "numerical result out of range";
            case ENOSYS -> "function not implemented";
            case ELOOP -> "too many levels of symbolic links";
            case ENOMSG -> "no message of desired type";
            case ENODATA -> "no data available";
            case EOVERFLOW -> "value too large for defined data type";
            case EOPNOTSUPP -> "operation not supported";
            case ETIMEDOUT -> "connection timed out";
            case ECONNREFUSED -> "connection refused";
            case ENOTSUPP -> "operation not supported (ENOTSUPP)";
            default -> name(errno).toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code "invalid argument"}: the form used in error messages. */
    public static String describe(int errno) {
        return message(errno);
    }
}
