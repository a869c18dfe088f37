package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Layouts;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Kernel-wide BPF run-time statistics ({@code BPF_ENABLE_STATS}), on while an instance is open.
 * While any holder keeps statistics on, every program's {@code run_cnt} and
 * {@code run_time_ns} (in {@link ProgInfo} and fdinfo) count its runs.
 *
 * <p>The kernel counts holders: each open instance is one, and so is
 * {@code sysctl kernel.bpf_stats_enabled=1}. Statistics stay on while the instance's fd is
 * open, so they go off when this process exits however it exits (a crash or SIGKILL
 * included), unlike the sysctl, which a dead process cannot reset.
 *
 * <p>Requires at least Linux 5.8 and CAP_SYS_ADMIN.
 */
public final class BpfStats implements AutoCloseable {
    /** enum bpf_stats_type: BPF_STATS_RUN_TIME, the only kind so far. */
    static final int BPF_STATS_RUN_TIME = 0;
    /** The sysctl's own setting: it reads back what was written to it, not whether an fd holder has statistics on. */
    static final Path SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    private final Fd fd;

    private BpfStats(Fd fd) {
        this.fd = fd;
    }

    /**
     * Turns run-time statistics on until {@link #close()} (or this process's exit).
     *
     * @throws BpfException EINVAL on kernels before 5.8, which lack the command, EPERM without
     *                      CAP_SYS_ADMIN; both with a hint that says so
     */
    public static BpfStats enableRunTime() {
        MemorySegment attr = Bpf.attr(Layouts.OneFd.LAYOUT.byteSize());
        attr.set(JAVA_INT, Layouts.OneFd.FD, BPF_STATS_RUN_TIME); // the union's first u32 is enable_stats.type
        long r = Bpf.call(BpfCommand.ENABLE_STATS.value(), attr);
        if (r < 0) {
            int errno = (int) -r;
            String hint = switch (errno) {
                case Errno.EINVAL -> "the kernel has no BPF_ENABLE_STATS; it needs Linux 5.8+";
                case Errno.EPERM -> "BPF_ENABLE_STATS needs CAP_SYS_ADMIN";
                default -> null;
            };
            throw new BpfException("enable BPF run-time stats", errno, hint);
        }
        return new BpfStats(Fd.adopt((int) r, "enable BPF run-time stats"));
    }

    /**
     * The sysctl's own setting, {@code /proc/sys/kernel/bpf_stats_enabled}; empty when the file
     * cannot be read. It is one holder among others, not whether statistics are on: the
     * handler shows the value last written to it, and holders through {@link #enableRunTime}
     * leave it at 0 (bpf_stats_handler(), d46edd671a14, v5.8). Whether statistics are on is
     * seen only in their effect, a run that counts in {@code run_cnt}.
     */
    public static java.util.Optional<Boolean> sysctlEnabled() {
        try {
            return java.util.Optional.of(!Files.readString(SYSCTL).trim().equals("0"));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The fd that keeps statistics on. */
    public Fd fd() {
        return fd;
    }

    /** Drops this holder; statistics go off when no other holder remains. */
    @Override
    public void close() {
        fd.close();
    }
}
