package io.bpf4j.cli.support;

import io.bpf4j.BpfException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The capabilities this process has, from the {@code CapEff} line of {@code /proc/self/status},
 * so a command that needs privileges says so in one line before it tries anything, instead of
 * reporting every step the kernel refused.
 */
public final class Capabilities {
    /** capability(7) numbers. */
    public static final int CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    private final long effective;

    Capabilities(long effective) {
        this.effective = effective;
    }

    /** This process's effective set. */
    public static Capabilities self() {
        return parse(read(Path.of("/proc/self/status")));
    }

    private static String read(Path status) {
        try {
            return Files.readString(status);
        } catch (IOException e) {
            throw new BpfException("read " + status + ": " + e.getMessage(), e);
        }
    }

    /** The effective set in a {@code /proc/PID/status} text. */
    static Capabilities parse(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) return new Capabilities(Long.parseUnsignedLong(line.substring(7).strip(), 16));
        }
        throw new BpfException("/proc/self/status has no CapEff line");
    }

    /** True if the effective set holds capability {@code cap}. */
    public boolean has(int cap) {
        return (effective >>> cap & 1) != 0;
    }

    /**
     * Throws a one-line {@link BpfException} unless this process can do what the command needs:
     * root (CAP_SYS_ADMIN, which every kernel accepts in place of the finer capabilities) or
     * CAP_BPF plus {@code others} (Linux 5.8+). The message names the ones it lacks.
     */
    public void requireBpf(int... others) {
        if (has(CAP_SYS_ADMIN)) return;
        List<String> missing = new ArrayList<>();
        if (!has(CAP_BPF)) missing.add(name(CAP_BPF));
        for (int c : others) if (!has(c)) missing.add(name(c));
        if (missing.isEmpty()) return;
        StringBuilder need = new StringBuilder(name(CAP_BPF));
        for (int c : others) need.append('+').append(name(c));
        throw new BpfException("needs root or " + need + "; this process lacks " + String.join(", ", missing)
                + (effective == 0 ? " (it has no capabilities: run it as root, e.g. with sudo)" : ""));
    }

    static String name(int cap) {
        return switch (cap) {
            case CAP_NET_ADMIN -> "CAP_NET_ADMIN";
            case CAP_SYS_ADMIN -> "CAP_SYS_ADMIN";
            case CAP_PERFMON -> "CAP_PERFMON";
            case CAP_BPF -> "CAP_BPF";
            default -> "capability " + cap;
        };
    }
}
