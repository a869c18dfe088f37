package io.bpf4j.tools.trace;

import java.util.HashMap;
import java.util.Map;

/**
 * Kernel error names for results: the uapi errno table (1-133) and the kernel-internal codes
 * that never reach user space but are what traced functions return (512-530, include/linux/errno.h).
 */
public final class KernelErrors {
    private KernelErrors() {}

    private static final String[] LOW = {
        null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
        "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
        "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
        "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
        null, "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI",
        "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT", "ENOSTR",
        "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM",
        "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC", "ELIBBAD",
        "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE",
        "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN",
        "ENETUNREACH", "ENETRESET", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT",
        "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM",
        "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED", "EOWNERDEAD",
        "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"
    };
    private static final String[] HIGH = {
        "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ENOIOCTLCMD", "ERESTART_RESTARTBLOCK", "EPROBE_DEFER",
        "EOPENSTALE", "ENOPARAM", null, "EBADHANDLE", "ENOTSYNC", "EBADCOOKIE", "ENOTSUPP",
        "ETOOSMALL", "ESERVERFAULT", "EBADTYPE", "EJUKEBOX", "EIOCBQUEUED", "ERECALLCONFLICT", "ENOGRACE"
    };
    private static final Map<String, Integer> BY_NAME = new HashMap<>();

    static {
        for (int i = 1; i < LOW.length; i++) if (LOW[i] != null) BY_NAME.put(LOW[i], i);
        for (int i = 0; i < HIGH.length; i++) if (HIGH[i] != null) BY_NAME.put(HIGH[i], 512 + i);
        BY_NAME.put("EWOULDBLOCK", 11);
        BY_NAME.put("EDEADLOCK", 35);
    }

    /** {@code EINVAL} for 22; the number itself for codes without a name. */
    public static String name(int errno) {
        if (errno > 0 && errno < LOW.length && LOW[errno] != null) return LOW[errno];
        if (errno >= 512 && errno < 512 + HIGH.length && HIGH[errno - 512] != null) return HIGH[errno - 512];
        return Integer.toString(errno);
    }

    /** The number for {@code EINVAL} or {@code -EINVAL} or {@code 22}; -1 if unknown. */
    public static int byName(String name) {
        String n = name.startsWith("-") ? name.substring(1) : name;
        Integer v = BY_NAME.get(n.toUpperCase(java.util.Locale.ROOT));
        if (v != null) return v;
        try {
            int x = Integer.parseInt(n);
            return x > 0 && x <= 4095 ? x : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
