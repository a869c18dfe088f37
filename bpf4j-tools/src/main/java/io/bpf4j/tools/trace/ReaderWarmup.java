package io.bpf4j.tools.trace;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Made-up failing sessions of the traced functions, as trace.bpf.c's records, through a
 * {@link SessionAssembler} of their own: `bpf4j trace` formats these before it says "Receiving
 * data", so that the JIT compiles the reader's code then, not while the traced workload runs.
 * In the lab's 6.12 guest (a host thread per vCPU), the reader's CPU time over the first 20,000
 * failing sessions was 1.55-1.64 s against 0.54-0.96 s for each later 20,000 (2.7 s against
 * 1.1-1.2 s with -A): compilation and interpretation, on the CPUs the traced program wanted.
 *
 * <p>Each session is an entry function calling up to three others in turn, the last of which
 * fails, and the entry function failing with it; its stack (or, where the tracer takes stacks at
 * entry, the entry stack and each call's return address) is made of the functions' own
 * addresses; with -A each call carries a capture of its layout ({@link ArgLayout#sample}) that
 * changes from session to session. Nothing here reaches the kernel or the tracer's counters.
 */
public final class ReaderWarmup {
    private ReaderWarmup() {}

    /** Sessions one warm-up formats: each method on the path runs hundreds of times, past C1's thresholds. */
    public static final int SESSIONS = 1000;

    /**
     * Feeds {@code n} made-up sessions of {@code table}'s functions to {@code sink}, stopping
     * early once {@code stop} says so (checked every 50 sessions: a Ctrl-C); returns how many it
     * made (0 when the table has no kernel or BPF program function).
     */
    public static int run(TracedFunction[] table, boolean stacksAtEntry, int n, Consumer<Session> sink, BooleanSupplier stop) {
        List<TracedFunction> fns = new ArrayList<>();
        TracedFunction root = null;
        for (TracedFunction f : table) {
            if (f.probe()) continue;
            if (root == null && f.entry()) root = f;
            else if (fns.size() < 3) fns.add(f);
        }
        if (root == null) {
            if (fns.isEmpty()) return 0;
            root = fns.removeFirst();
        }
        List<TracedFunction> path = new ArrayList<>();
        path.add(root);
        path.addAll(fns);
        SessionAssembler assembler = new SessionAssembler(table, sink);
        try (Arena arena = Arena.ofConfined()) {
            Records r = new Records(arena, path, stacksAtEntry);
            for (int i = 0; i < n; i++) {
                if (i % 50 == 0 && stop.getAsBoolean()) return i;
                r.session(assembler, 1000 + i % 64, 1_000_000_000L + 10_000L * i, i);
            }
        }
        return n;
    }

    /** The records of one session shape, rewritten per session. */
    private static final class Records {
        final List<TracedFunction> path;
        final boolean atEntry;
        final MemorySegment stack, session;
        final MemorySegment args;
        final int[] argOffsets;

        Records(Arena arena, List<TracedFunction> path, boolean atEntry) {
            this.path = path;
            this.atEntry = atEntry;
            int frames = path.size() + 2;
            stack = arena.allocate(SessionAssembler.STACK_HDR + 8L * frames, 8);
            stack.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_STACK);
            stack.set(JAVA_INT_UNALIGNED, 20, 8 * frames);
            // Innermost first, as bpf_get_stack stores them.
            for (int k = 0; k < frames; k++) {
                TracedFunction f = path.get(Math.max(0, path.size() - 1 - k));
                stack.set(JAVA_LONG_UNALIGNED, SessionAssembler.STACK_HDR + 8L * k, f.function().address() + 0x10 + k);
            }
            int events = 2 * path.size();
            session = arena.allocate(SessionAssembler.HDR_SIZE + (long) SessionAssembler.EVENT_SIZE * events, 8);
            session.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_SESSION);
            session.set(JAVA_INT_UNALIGNED, 12, events);
            session.set(JAVA_INT_UNALIGNED, 24, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED);
            byte[] comm = "bpf4j-warmup".getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(comm, 0, session, JAVA_BYTE, 32, comm.length);
            // -A: one capture per call that has a layout, each at a multiple of 8 in the record.
            argOffsets = new int[path.size()];
            int size = 0;
            for (int c = 0; c < path.size(); c++) {
                ArgLayout l = path.get(c).argLayout();
                argOffsets[c] = l == null ? -1 : size;
                if (l != null) size += (l.total() + 7) & ~7;
            }
            args = size == 0 ? null : arena.allocate(SessionAssembler.ARGS_HDR + size, 8);
            if (args != null) {
                args.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_ARGS);
                args.set(JAVA_INT_UNALIGNED, 20, size);
            }
        }

        void session(SessionAssembler assembler, int tid, long start, long seed) {
            // The root's entry, each callee's entry and exit in turn, the root's exit: the last
            // callee fails, and the root with it.
            int e = 0, last = path.size() - 1;
            long ts = start;
            e = event(e, path.get(0), 0, 0, ts, atEntry ? returnAddress(0) : 0, 0);
            for (int c = 1; c <= last; c++) {
                e = event(e, path.get(c), c, 1, ts += 300, atEntry ? returnAddress(c) : 0, 0);
                e = event(e, path.get(c), c, 1, ts += 400, c == last ? -22 : 0, SessionAssembler.EV_EXIT | (c == last ? SessionAssembler.EV_FAILED : 0));
            }
            event(e, path.get(0), 0, 0, ts + 500, -22, SessionAssembler.EV_EXIT | SessionAssembler.EV_FAILED);
            session.set(JAVA_INT_UNALIGNED, 4, tid);
            session.set(JAVA_INT_UNALIGNED, 8, tid);
            session.set(JAVA_LONG_UNALIGNED, 16, start);
            stack.set(JAVA_INT_UNALIGNED, 4, tid);
            stack.set(JAVA_LONG_UNALIGNED, 8, start);
            // The stack of the first failure (the last callee's exit), or the session's entry stack.
            stack.set(JAVA_INT_UNALIGNED, 16, atEntry ? (int) SessionAssembler.STACK_AT_ENTRY : last == 0 ? 1 : 2 * last);
            assembler.accept(stack);
            if (args != null) {
                args.set(JAVA_INT_UNALIGNED, 4, tid);
                args.set(JAVA_LONG_UNALIGNED, 8, start);
                for (int c = 0; c < path.size(); c++) {
                    if (argOffsets[c] < 0) continue;
                    byte[] blob = path.get(c).argLayout().sample(seed + c);
                    MemorySegment.copy(blob, 0, args, JAVA_BYTE, SessionAssembler.ARGS_HDR + argOffsets[c], blob.length);
                }
                assembler.accept(args);
            }
            assembler.accept(session);
        }

        /** A made-up return address for call c: inside the root for a callee, inside the last callee for the root. */
        long returnAddress(int c) {
            TracedFunction caller = c == 0 ? path.get(path.size() - 1) : path.get(0);
            return caller.function().address() + 0x40 + c;
        }

        /** Writes event e of the session record; returns e + 1. */
        int event(int e, TracedFunction f, int call, int depth, long ts, long ret, int kind) {
            // A function's arguments ship with its exit (SessionAssembler.event).
            if (args != null && argOffsets[call] >= 0 && (kind & SessionAssembler.EV_EXIT) != 0)
                kind |= SessionAssembler.EV_ARGS | (argOffsets[call] / 8) << SessionAssembler.EV_ARGS_SHIFT;
            long o = SessionAssembler.HDR_SIZE + (long) SessionAssembler.EVENT_SIZE * e;
            session.set(JAVA_LONG_UNALIGNED, o, (f.id() & 0xffffffffL) | (long) depth << 32 | (long) kind << 48);
            session.set(JAVA_LONG_UNALIGNED, o + 8, ts);
            session.set(JAVA_LONG_UNALIGNED, o + 16, ret);
            return e + 1;
        }
    }
}
