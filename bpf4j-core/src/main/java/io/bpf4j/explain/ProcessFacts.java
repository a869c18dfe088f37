package io.bpf4j.explain;

/**
 * The calling process's credentials and limits at the failed call ({@code /proc/PID/status},
 * {@code /proc/PID/limits}).
 *
 * @param euid         effective uid, -1 unknown
 * @param capEff       effective capability bits, -1 unknown
 * @param memlockLimit RLIMIT_MEMLOCK soft limit in bytes; {@link #UNLIMITED}; -2 unknown
 * @param seccomp      the Seccomp: line (0 none, 1 strict, 2 filter), -1 unknown
 */
public record ProcessFacts(int euid, long capEff, long memlockLimit, int seccomp) {
    public static final long UNLIMITED = -1;
    public static final int CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    public static ProcessFacts unknown() {
        return new ProcessFacts(-1, -1, -2, -1);
    }

    /** Root with every capability. */
    public static ProcessFacts root() {
        return new ProcessFacts(0, (1L << 41) - 1, UNLIMITED, 0);
    }

    public boolean known() {
        return capEff >= 0;
    }

    public boolean has(int cap) {
        return capEff >= 0 && (capEff & (1L << cap)) != 0;
    }

    /** CAP_BPF, or CAP_SYS_ADMIN which implies it (bpf_capable()). */
    public boolean bpfCapable() {
        return has(CAP_BPF) || has(CAP_SYS_ADMIN);
    }

    /** Parses the CapEff: line of /proc/PID/status (hex). */
    public static long parseCapEff(String status) {
        for (String l : status.split("\n")) {
            if (l.startsWith("CapEff:")) return Long.parseUnsignedLong(l.substring(7).trim(), 16);
        }
        return -1;
    }

    /** Parses a numeric line of /proc/PID/status ({@code Seccomp:}, {@code Uid:} first value). */
    public static int parseStatusInt(String status, String key) {
        for (String l : status.split("\n")) {
            if (l.startsWith(key + ":")) {
                String v = l.substring(key.length() + 1).trim().split("\\s+")[0];
                try {
                    return Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The effective uid: the second value of the Uid: line. */
    public static int parseEuid(String status) {
        for (String l : status.split("\n")) {
            if (l.startsWith("Uid:")) {
                String[] v = l.substring(4).trim().split("\\s+");
                return v.length > 1 ? Integer.parseInt(v[1]) : -1;
            }
        }
        return -1;
    }

    /** The soft "Max locked memory" of /proc/PID/limits, {@link #UNLIMITED}, or -2. */
    public static long parseMemlock(String limits) {
        for (String l : limits.split("\n")) {
            if (l.startsWith("Max locked memory")) {
                String[] v = l.substring("Max locked memory".length()).trim().split("\\s+");
                if (v[0].equals("unlimited")) return UNLIMITED;
                try {
                    return Long.parseLong(v[0]);
                } catch (NumberFormatException e) {
                    return -2;
                }
            }
        }
        return -2;
    }
}
