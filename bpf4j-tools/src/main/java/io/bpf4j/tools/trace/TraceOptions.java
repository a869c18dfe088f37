package io.bpf4j.tools.trace;

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
 */
public record TraceOptions(AttachMode mode, int ringBufBytes, int maxSessions, boolean emitAll, long minDurationNs,
                           int denyTgid, Set<Integer> pids, Set<Integer> noPids, Set<String> comms, Set<String> noComms) {
    public TraceOptions {
        pids = Set.copyOf(pids);
        noPids = Set.copyOf(noPids);
        comms = Set.copyOf(comms);
        noComms = Set.copyOf(noComms);
    }

    public static TraceOptions defaults() {
        return new TraceOptions(null, 8 << 20, 1024, false, 0, 0, Set.of(), Set.of(), Set.of(), Set.of());
    }

    public TraceOptions withMode(AttachMode m) {
        return new TraceOptions(m, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms);
    }

    public TraceOptions withEmitAll(boolean all) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, all, minDurationNs, denyTgid, pids, noPids, comms, noComms);
    }

    public TraceOptions withRingBufBytes(int bytes) {
        return new TraceOptions(mode, bytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, comms, noComms);
    }

    public TraceOptions withMinDurationNs(long ns) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, ns, denyTgid, pids, noPids, comms, noComms);
    }

    public TraceOptions withDenyTgid(int tgid) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, tgid, pids, noPids, comms, noComms);
    }

    public TraceOptions withPids(Set<Integer> allow, Set<Integer> deny) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, allow, deny, comms, noComms);
    }

    public TraceOptions withComms(Set<String> allow, Set<String> deny) {
        return new TraceOptions(mode, ringBufBytes, maxSessions, emitAll, minDurationNs, denyTgid, pids, noPids, allow, deny);
    }
}
