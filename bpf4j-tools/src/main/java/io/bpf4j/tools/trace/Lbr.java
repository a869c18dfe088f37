package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.Cpus;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.UnsupportedFeatureException;
import io.bpf4j.features.Features;
import io.bpf4j.features.KernelFeature;
import io.bpf4j.features.Probe;
import io.bpf4j.internal.sys.Layouts;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * -B: keeps the CPUs' last branch records on for the kernel (one sampling perf event with a
 * branch stack per CPU, as retsnoop does) so that {@code bpf_get_branch_snapshot} (Linux 5.16,
 * 856c02dbce4f) has something to copy. Needs a branch-recording PMU (Intel LBR; QEMU's TCG
 * emulates none). Closing turns them off.
 */
public final class Lbr implements AutoCloseable {
    /** PERF_SAMPLE_BRANCH_* (include/uapi/linux/perf_event.h). */
    static final long USER = 1, KERNEL = 1 << 1, ANY = 1 << 3, ANY_CALL = 1 << 4, ANY_RETURN = 1 << 5, IND_CALL = 1 << 6,
            ABORT_TX = 1 << 7, IN_TX = 1 << 8, NO_TX = 1 << 9, COND = 1 << 10, CALL_STACK = 1 << 11, IND_JUMP = 1 << 12, CALL = 1 << 13;
    static final long PERF_SAMPLE_BRANCH_STACK = 1 << 11;
    static final int PERF_TYPE_HARDWARE = 0;
    static final long FLAG_FREQ = 1 << 10;
    static final long BRANCH_SAMPLE_TYPE = Layouts.PerfEventAttr.LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("branch_sample_type"));

    private final List<Fd> events;

    private Lbr(List<Fd> events) {
        this.events = events;
    }

    /**
     * retsnoop's {@code --lbr} specs, comma separated: any_return (the default), any, any_call,
     * cond, call, ind_call, ind_jump, call_stack, abort_tx, in_tx, no_tx, or a number.
     */
    public static long parse(String spec) {
        long bits = 0;
        for (String s : (spec == null || spec.isBlank() ? "any_return" : spec).split(",")) bits |= branchType(spec, s.strip());
        return bits;
    }

    private static long branchType(String spec, String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "any_return": return ANY_RETURN;
            case "any": return ANY;
            case "any_call": return ANY_CALL;
            case "cond": return COND;
            case "call": return CALL;
            case "ind_call": return IND_CALL;
            case "ind_jump": return IND_JUMP;
            case "call_stack": return CALL_STACK;
            case "abort_tx": return ABORT_TX;
            case "in_tx": return IN_TX;
            case "no_tx": return NO_TX;
            default:
                try {
                    return Long.decode(s);
                } catch (NumberFormatException e) {
                    throw new BpfException("-B " + spec + ": unknown branch type '" + s
                            + "' (any_return, any, any_call, cond, call, ind_call, ind_jump, call_stack, abort_tx, in_tx, no_tx or a number)");
                }
        }
    }

    /**
     * Why this kernel cannot take branch snapshots, decided by the cached bpf_get_branch_snapshot
     * probe, or null.
     */
    static UnsupportedFeatureException missing() {
        Probe p = Features.probe(KernelFeature.BRANCH_SNAPSHOT);
        if (p.supported()) return null;
        return new UnsupportedFeatureException(KernelFeature.BRANCH_SNAPSHOT.title() + " (-B)", KernelFeature.BRANCH_SNAPSHOT.minimumKernel(),
                p.verdict() == Probe.Verdict.UNKNOWN ? "the probe could not tell: " + p : p.detail());
    }

    /**
     * Turns branch recording on for every online CPU.
     *
     * @throws UnsupportedFeatureException if the kernel has no bpf_get_branch_snapshot (before 5.16)
     * @throws BpfException in one line naming the PMU that is missing
     */
    public static Lbr open(String spec) {
        UnsupportedFeatureException why = missing();
        if (why != null) throw why;
        long branches = parse(spec) | KERNEL;
        List<Fd> fds = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (int cpu : Cpus.online()) {
                MemorySegment attr = arena.allocate(Layouts.PerfEventAttr.LAYOUT.byteSize(), 8);
                attr.set(JAVA_INT, Layouts.PerfEventAttr.TYPE, PERF_TYPE_HARDWARE);
                attr.set(JAVA_INT, Layouts.PerfEventAttr.SIZE, Layouts.PerfEventAttr.ATTR_SIZE);
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.CONFIG, 0); // PERF_COUNT_HW_CPU_CYCLES
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.SAMPLE_PERIOD, 50); // sample_freq: rarely
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.FLAGS, FLAG_FREQ);
                attr.set(JAVA_LONG, Layouts.PerfEventAttr.SAMPLE_TYPE, PERF_SAMPLE_BRANCH_STACK);
                attr.set(JAVA_LONG, BRANCH_SAMPLE_TYPE, branches);
                int fd = Syscalls.perfEventOpen(attr, -1, cpu, -1, 8 /* PERF_FLAG_FD_CLOEXEC */);
                if (fd < 0) {
                    String name = Errno.name(-fd);
                    throw new Tracer.UnsupportedOptionException("-B needs a CPU that records branches (Intel LBR) and a PMU driver for it: perf_event_open(cycles with a kernel branch stack) on CPU "
                            + cpu + ": " + name + (-fd == Errno.ENOENT || -fd == Errno.EOPNOTSUPP || -fd == Errno.EINVAL
                            ? " (no branch-recording PMU here; QEMU's TCG and most VMs have none)" : ""));
                }
                fds.add(Fd.adopt(fd, "perf_event_open"));
            }
        } catch (RuntimeException e) {
            for (Fd f : fds) f.close();
            throw e;
        }
        return new Lbr(fds);
    }

    @Override
    public void close() {
        for (Fd f : events) f.close();
    }
}
