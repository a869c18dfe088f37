package io.bpf4j.tools.trace;

import io.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Rebuilds sessions from trace.bpf.c's ring buffer records: event logs (one record per session,
 * or per {@value #MAX_EVENTS} events of a long one) and kernel stacks. A session is handed on
 * when its final record arrives. The layouts are trace.bpf.c's {@code struct rec_hdr},
 * {@code struct event} and {@code struct stack_rec}. The hot path allocates only what it hands on
 * (the Session, its calls, its stack): the state of open sessions is recycled and records are
 * read from one reused array. Not thread-safe: one assembler per polling thread.
 */
public final class SessionAssembler {
    static final int REC_SESSION = 1, REC_STACK = 2, REC_ARGS = 3, REC_LBR = 4;
    static final int S_FINAL = 1, S_FAILED = 2, S_OVERFLOW = 4;
    static final int EV_EXIT = 1, EV_FAILED = 2, EV_PROBE = 4, EV_ARGS = 8, EV_ARGS_SHIFT = 4;
    static final int HDR_SIZE = 48, EVENT_SIZE = 24, MAX_EVENTS = 64, STACK_HDR = 24, MAX_FRAMES = 64;
    static final int ARGS_HDR = 24, LBR_HDR = 24, LBR_ENTRY = 24;
    /** The stack record's event index when the stack was taken at the session's entry (trace.bpf.c STACK_AT_ENTRY). */
    static final long STACK_AT_ENTRY = 0x80000000L;
    private static final long[] NO_STACK = new long[0];

    private final TracedFunction[] functions;
    private final Consumer<Session> out;
    /** Open sessions by thread id; a thread's older sessions whose end was lost hang off {@link Partial#next}. */
    private final LongMap<Partial> open = new LongMap<>(64);
    private final ArrayDeque<Partial> free = new ArrayDeque<>();
    /**
     * The record being read, as little-endian words. One bulk copy per record instead of a
     * MemorySegment access per field: the launcher runs C1 only, where each access is several
     * calls deep (the copy is also what keeps a record valid if a handler is slow).
     */
    private long[] words = new long[(HDR_SIZE + MAX_EVENTS * EVENT_SIZE) / 8];
    private long commLo, commHi;
    private String comm;
    private int pending;
    private long sessions, lostSessions, badRecords;

    /** A session being assembled; recycled once it is handed on (its calls are not: the Session keeps them). */
    private static final class Partial {
        int tid, pid;
        String comm;
        long start;
        int nextChunk;
        int lost;
        boolean truncated;
        Call root;
        Call[] stack = new Call[8];
        int depth;
        boolean isErr;
        Call errorCall;
        long errorEvent;
        long[] stackEvents = new long[2];
        long[][] stackIps = new long[2][];
        int stacks;
        long[] entryStack;
        long[] lbr;
        int lbrError;
        /** -A: the arguments record of chunk argsChunk (the next events record's), or null. */
        byte[] args;
        int argsChunk = -1;
        long lastNs;
        Partial next;

        void reset(int tid, long start) {
            this.tid = tid;
            this.start = start;
            pid = 0;
            comm = null;
            nextChunk = 0;
            lost = 0;
            truncated = false;
            root = null;
            java.util.Arrays.fill(stack, 0, depth, null);
            depth = 0;
            isErr = false;
            errorCall = null;
            errorEvent = -1;
            java.util.Arrays.fill(stackIps, 0, stacks, null);
            stacks = 0;
            entryStack = null;
            lbr = null;
            lbrError = 0;
            args = null;
            argsChunk = -1;
            lastNs = 0;
            next = null;
        }

        void push(Call c) {
            if (depth == stack.length) stack = java.util.Arrays.copyOf(stack, depth * 2);
            stack[depth++] = c;
        }

        void popTo(int d) {
            while (depth > d) stack[--depth] = null;
        }

        void addStack(long event, long[] ips) {
            for (int i = 0; i < stacks; i++) {
                if (stackEvents[i] == event) {
                    stackIps[i] = ips;
                    return;
                }
            }
            if (stacks == stackEvents.length) {
                stackEvents = java.util.Arrays.copyOf(stackEvents, stacks * 2);
                stackIps = java.util.Arrays.copyOf(stackIps, stacks * 2);
            }
            stackEvents[stacks] = event;
            stackIps[stacks++] = ips;
        }

        long[] stackAt(long event) {
            for (int i = 0; i < stacks; i++) if (stackEvents[i] == event) return stackIps[i];
            return NO_STACK;
        }
    }

    public SessionAssembler(TracedFunction[] functions, Consumer<Session> out) {
        this.functions = functions;
        this.out = out;
    }

    /** Takes one ring buffer record. Malformed records are counted, not fatal (see {@link #badRecords()}). */
    public void accept(MemorySegment r) {
        if (r.byteSize() < 8) {
            badRecords++;
            return;
        }
        int type = r.get(JAVA_INT_UNALIGNED, 0);
        try {
            switch (type) {
                case REC_SESSION -> session(r);
                case REC_STACK -> stack(r);
                case REC_ARGS -> args(r);
                case REC_LBR -> lbr(r);
                default -> badRecords++;
            }
        } catch (BpfFormatException | IndexOutOfBoundsException e) {
            badRecords++;
        }
    }

    /** Copies the record's first {@code bytes} (a multiple of 8) into {@link #words}. */
    private long[] read(MemorySegment r, long bytes) {
        int n = (int) (bytes / 8);
        if (words.length < n) words = new long[n];
        MemorySegment.copy(r, JAVA_LONG_UNALIGNED, 0, words, 0, n);
        return words;
    }

    private void stack(MemorySegment r) {
        if (r.byteSize() < STACK_HDR) throw new BpfFormatException("short stack record");
        long[] w = read(r, r.byteSize() & ~7L);
        int tid = (int) (w[0] >>> 32);
        long start = w[1];
        long event = w[2] & 0xffffffffL;
        int size = (int) (w[2] >>> 32);
        int n = size <= 0 ? 0 : Math.min(size / 8, (int) ((r.byteSize() - STACK_HDR) / 8));
        long[] ips = new long[n]; // the Session keeps it
        System.arraycopy(w, STACK_HDR / 8, ips, 0, n);
        Partial p = partial(tid, start);
        if ((event & STACK_AT_ENTRY) != 0) p.entryStack = ips;
        else p.addStack(event, ips);
    }

    /**
     * -A: one call's arguments, put at their offset among their chunk's, kept until that chunk's
     * events arrive (the BPF side ships each capture ahead of the event that points at it).
     */
    private void args(MemorySegment r) {
        if (r.byteSize() < ARGS_HDR) throw new BpfFormatException("short arguments record");
        long[] w = read(r, ARGS_HDR);
        int tid = (int) (w[0] >>> 32);
        long start = w[1];
        int chunk = (int) w[2], size = (int) (w[2] >>> 32) & 0xffff, offset = (int) (w[2] >>> 48);
        if (ARGS_HDR + (long) size > r.byteSize()) throw new BpfFormatException("arguments record of " + size + " bytes in " + r.byteSize());
        Partial p = partial(tid, start);
        if (p.args == null || p.argsChunk != chunk) {
            p.args = new byte[offset + size];
            p.argsChunk = chunk;
        } else if (p.args.length < offset + size) {
            p.args = java.util.Arrays.copyOf(p.args, offset + size);
        }
        MemorySegment.copy(r, java.lang.foreign.ValueLayout.JAVA_BYTE, ARGS_HDR, p.args, offset, size);
    }

    /** -B: the branch records taken at the session's first failure. */
    private void lbr(MemorySegment r) {
        if (r.byteSize() < LBR_HDR) throw new BpfFormatException("short LBR record");
        long[] w = read(r, r.byteSize() & ~7L);
        int tid = (int) (w[0] >>> 32);
        long start = w[1];
        int size = (int) w[2];
        Partial p = partial(tid, start);
        if (size < 0) {
            p.lbrError = size;
            p.lbr = new long[0];
            return;
        }
        int n = (int) Math.min(size / LBR_ENTRY, (r.byteSize() - LBR_HDR) / LBR_ENTRY);
        p.lbr = new long[3 * n];
        System.arraycopy(w, LBR_HDR / 8, p.lbr, 0, 3 * n);
    }

    private Partial partial(int tid, long start) {
        Partial head = open.get(tid);
        for (Partial q = head; q != null; q = q.next) if (q.start == start) return q;
        if (head != null) dropOrphans(head);
        Partial p = free.pollFirst();
        if (p == null) p = new Partial();
        p.reset(tid, start);
        p.next = open.put(tid, p);
        pending++;
        return p;
    }

    /**
     * A thread's records arrive in the order it wrote them, and its sessions one after another:
     * when one begins, an earlier session of the thread that has only arguments is one the BPF
     * side decided not to ship (it succeeded). Its arguments are dropped, not counted as lost.
     */
    private void dropOrphans(Partial head) {
        for (Partial q = head; q != null; ) {
            Partial next = q.next;
            if (q.root == null && q.nextChunk == 0 && q.stacks == 0 && q.entryStack == null && q.lbr == null) {
                remove(q);
                if (free.size() < 64) free.addFirst(q);
            }
            q = next;
        }
    }

    private void remove(Partial p) {
        Partial head = open.get(p.tid);
        if (head == p) {
            if (p.next != null) open.put(p.tid, p.next);
            else open.remove(p.tid);
        } else {
            while (head != null && head.next != p) head = head.next;
            if (head != null) head.next = p.next;
        }
        pending--;
    }

    private void session(MemorySegment r) {
        long size = r.byteSize();
        if (size < HDR_SIZE) throw new BpfFormatException("short session record");
        // One copy of the header and every event the record can hold (each copy costs FFM's checks).
        long[] w = read(r, Math.min(size, HDR_SIZE + (long) MAX_EVENTS * EVENT_SIZE) & ~7L);
        int n = (int) (w[1] >>> 32);
        if (n < 0 || n > MAX_EVENTS || HDR_SIZE + (long) n * EVENT_SIZE > size)
            throw new BpfFormatException("session record with " + n + " events in " + size + " bytes");
        int tid = (int) (w[0] >>> 32), pid = (int) w[1];
        long start = w[2];
        int flags = (int) w[3], chunk = (int) (w[3] >>> 32);
        Partial p = partial(tid, start);
        p.pid = pid;
        if (p.comm == null) p.comm = comm(w[4], w[5]);
        if (chunk != p.nextChunk) {
            // Records of this session were dropped: the calls in between are missing.
            p.lost += chunk - p.nextChunk;
            p.popTo(0);
        }
        p.nextChunk = chunk + 1;
        if ((flags & S_OVERFLOW) != 0) p.truncated = true;
        byte[] args = p.argsChunk == chunk ? p.args : null;
        for (int i = 0; i < n; i++) {
            int o = HDR_SIZE / 8 + 3 * i;
            event(p, w[o], w[o + 1], w[o + 2], (long) chunk * MAX_EVENTS + i, args);
        }
        p.args = null;
        if ((flags & S_FINAL) != 0) finish(p);
    }

    /** The task name (16 bytes, NUL-padded) as a String, reusing the last one when it repeats. */
    private String comm(long lo, long hi) {
        if (comm != null && lo == commLo && hi == commHi) return comm;
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (lo >>> 8 * i);
            b[8 + i] = (byte) (hi >>> 8 * i);
        }
        int len = 0;
        while (len < 16 && b[len] != 0) len++;
        commLo = lo;
        commHi = hi;
        return comm = new String(b, 0, len, StandardCharsets.UTF_8);
    }

    /** One {@code struct event}: its first word packs id (u32), depth (u16) and kind (u16). */
    private void event(Partial p, long head, long ts, long ret, long index, byte[] args) {
        int id = (int) head;
        int depth = (int) (head >>> 32) & 0xffff;
        int kind = (int) (head >>> 48);
        if (id < 0 || id >= functions.length) throw new BpfFormatException("function id " + id + " out of range");
        TracedFunction f = functions[id];
        p.lastNs = Math.max(p.lastNs, ts);
        if ((kind & EV_PROBE) != 0) {
            // An injected probe fired inside the call open at depth-1: a leaf that takes no time.
            Call parent = depth > 0 && depth <= p.depth ? p.stack[depth - 1] : p.root;
            if (parent == null) return; // its session's start was lost
            Call c = new Call(f, parent, depth, ts);
            c.exitNs = ts;
            c.result = ret;
            c.args = argsOf(kind, args);
            return;
        }
        if ((kind & EV_EXIT) == 0) {
            p.popTo(depth);
            Call parent = p.depth == 0 ? null : p.stack[p.depth - 1];
            if (parent == null && p.root != null) parent = p.root; // after lost records: keep the tree rooted
            Call c = new Call(f, parent, depth, ts);
            c.returnAddress = ret;
            c.args = argsOf(kind, args);
            if (p.root == null) p.root = c;
            p.push(c);
            return;
        }
        Call c = depth < p.depth ? p.stack[depth] : null;
        if (c == null || c.function().id() != id) {
            // Its entry was in a lost record: show it as a call of unknown start under what we have.
            Call parent = p.depth == 0 ? p.root : p.stack[p.depth - 1];
            c = new Call(f, parent, depth, p.start);
            if (p.root == null) p.root = c;
        }
        c.exitNs = ts;
        c.result = ret;
        c.failed = (kind & EV_FAILED) != 0;
        // A function's arguments ship with its exit: registers kept at entry, memory read then.
        if ((kind & EV_ARGS) != 0) c.args = argsOf(kind, args);
        p.popTo(depth);
        if (c.failed && !p.isErr) {
            p.isErr = true;
            p.errorCall = c;
            p.errorEvent = index;
        } else if (!c.failed && !f.returns().cantFail) {
            p.isErr = false;
            p.errorCall = null;
            p.errorEvent = -1;
        }
    }

    /** The capture an event points at (EV_ARGS), cut out of its chunk's arguments; null if none arrived. */
    private static byte[] argsOf(int kind, byte[] args) {
        if ((kind & EV_ARGS) == 0 || args == null) return null;
        int off = (kind >>> EV_ARGS_SHIFT) * 8;
        if (off + ArgLayout.CALL_HDR > args.length) return null;
        int size = ArgLayout.size(args, off);
        if (size < ArgLayout.CALL_HDR || off + size > args.length) return null;
        return java.util.Arrays.copyOfRange(args, off, off + size);
    }

    private void finish(Partial p) {
        remove(p);
        try {
            if (p.root == null) {
                lostSessions++;
                return;
            }
            sessions++;
            long end = p.root.returned() ? p.root.exitNs() : p.lastNs;
            boolean atEntry = p.entryStack != null;
            long[] st = atEntry ? p.entryStack : p.errorEvent >= 0 ? p.stackAt(p.errorEvent) : NO_STACK;
            out.accept(new Session(p.tid, p.pid, p.comm, p.start, end, p.root, p.errorCall, st, p.lost, p.truncated,
                    atEntry, p.lbr == null ? NO_STACK : p.lbr, p.lbrError));
        } finally {
            p.reset(0, 0);
            if (free.size() < 64) free.addFirst(p);
        }
    }

    /** Sessions completed so far. */
    public long sessions() {
        return sessions;
    }

    /** Sessions whose records were all lost but the last. */
    public long lostSessions() {
        return lostSessions;
    }

    /** Records that did not parse (a bug if ever non-zero). */
    public long badRecords() {
        return badRecords;
    }

    /** Sessions still open (their entry function has not returned yet, or their end was lost). */
    public int pending() {
        return pending;
    }
}
