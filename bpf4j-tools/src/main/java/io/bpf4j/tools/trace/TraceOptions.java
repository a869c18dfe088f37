package io.bpf4j.tools.trace;

import java.util.List;
import java.util.Set;

/**
 * Settings of a {@link Tracer}.
 *
 * @param mode          null: kprobe.multi where the kernel has it, else single kprobes
 * @param ringBufBytes  ring buffer size (a power of two, at least a page)
 * @param maxSessions   threads that can be in a session at once
 * @param emitAll       ship successful sessions too (-S)
 * @param minDurationNs only sessions at least this long (-L), 0 for all
 * @param denyTgid      a process never traced (the tracer itself), 0 for none
 * @param args          -A: capture arguments within these limits; null: do not
 * @param filter        --filter-arg: entry functions start sessions only when it holds; null: always
 * @param probes        -J: injected probes ({@code kprobe:FUNC[+OFF]}, {@code kretprobe:FUNC},
 *                      {@code tp:CATEGORY:NAME}, {@code rawtp:NAME})
 * @param lbr           -B: branch types to record ({@link Lbr#parse}); null: no LBR
 * @param entryStacks   0: stacks at the error; 1: each call's return address instead; 2: those and the
 *                      stack at each session's entry; null: 2 where kretprobe stacks are one frame
 *                      (-K before 5.15), else 0
 * @param kprobeSession with kprobe.multi: false: an entry link and an exit link, true: one session
 *                      link (6.10+); null: a session link where the kernel has them
 */
public record TraceOptions(AttachMode mode, int ringBufBytes, int maxSessions, boolean emitAll, long minDurationNs,
                           int denyTgid, Set<Integer> pids, Set<Integer> noPids, Set<String> comms, Set<String> noComms,
                           ArgLayout.Limits args, ArgFilter filter, List<String> probes, String lbr, Integer entryStacks,
                           Boolean kprobeSession) {
    /**
     * The default ring buffer: 32 MiB. The overhead bench's unpaced loop (100,000 failing bpf()
     * calls in bursts of 20,000) outruns the reader in the TCG lab by up to ~9 MB of sessions;
     * with 8 MiB (retsnoop's default) 0.7-3% of them were dropped on 5.10 and 6.12.
     */
    public static final int DEFAULT_RING = 32 << 20;

    public TraceOptions {
        pids = Set.copyOf(pids);
        noPids = Set.copyOf(noPids);
        comms = Set.copyOf(comms);
        noComms = Set.copyOf(noComms);
        probes = List.copyOf(probes);
    }

    public TraceOptions(AttachMode mode, int ringBufBytes, int maxSessions, boolean emitAll, long minDurationNs,
                        int denyTgid, Set<Integer> pids, Set<Integer> noPids, Set<String> comms, Set<String> noComms) {
        this(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, null, null, List.of(), null, null, null);
    }

    public static TraceOptions defaults() {
        return new TraceOptions(null, DEFAULT_RING, 1024, false, 0, 0, Set.of(), Set.of(), Set.of(), Set.of());
    }

    public TraceOptions withMode(AttachMode m) {
        return new TraceOptions(m, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withEmitAll(boolean all) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, all, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withRingBufBytes(int bytes) {
        return new TraceOptions(mode, bytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withMaxSessions(int n) {
        return new TraceOptions(mode, ringBufBytes, n, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withMinDurationNs(long ns) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, ns, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withDenyTgid(int tgid) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, tgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withPids(Set<Integer> allow, Set<Integer> deny) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, allow, deny, comms, noComms, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withComms(Set<String> allow, Set<String> deny) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, allow, deny, args, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withArgs(ArgLayout.Limits limits) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, limits, filter, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withFilter(ArgFilter f) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, f, probes, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withProbes(List<String> p) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, p, lbr, entryStacks, kprobeSession);
    }

    public TraceOptions withLbr(String spec) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, spec, entryStacks, kprobeSession);
    }

    public TraceOptions withEntryStacks(Integer on) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, on, kprobeSession);
    }

    public TraceOptions withKprobeSession(Boolean on) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms, args, filter, probes, lbr, entryStacks, on);
    }
}
