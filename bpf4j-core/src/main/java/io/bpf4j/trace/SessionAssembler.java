package io.bpf4j.trace;

import io.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Rebuilds sessions from trace.bpf.c's ring buffer records: event logs (one record per session,
 * or per {@value #MAX_EVENTS} events of a long one) and kernel stacks. A session is handed on
 * when its final record arrives. Records are read in place, the layouts being trace.bpf.c's
 * {@code struct rec_hdr}, {@code struct event} and {@code struct stack_rec}.
 */
public final class SessionAssembler {
    static final int REC_SESSION = 1, REC_STACK = 2;
    static final int S_FINAL = 1, S_FAILED = 2, S_OVERFLOW = 4;
    static final int EV_EXIT = 1, EV_FAILED = 2;
    static final int HDR_SIZE = 48, EVENT_SIZE = 24, MAX_EVENTS = 64, STACK_HDR = 24, MAX_FRAMES = 64;

    private final TracedFunction[] functions;
    private final Consumer<Session> out;
    private final Map<Key, Partial> partial = new HashMap<>();
    private long sessions, lostSessions, badRecords;

    private record Key(int tid, long startNs) {}

    private static final class Partial {
        int tid, pid;
        String comm;
        long start;
        int nextChunk;
        int lost;
        boolean truncated;
        Call root;
        final List<Call> stack = new ArrayList<>();
        boolean isErr;
        Call errorCall;
        long errorEvent = -1;
        final Map<Long, long[]> stacks = new HashMap<>(2);
        long lastNs;
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
                default -> badRecords++;
            }
        } catch (BpfFormatException | IndexOutOfBoundsException e) {
            badRecords++;
        }
    }

    private void stack(MemorySegment r) {
        if (r.byteSize() < STACK_HDR) throw new BpfFormatException("short stack record");
        int tid = r.get(JAVA_INT_UNALIGNED, 4);
        long start = r.get(JAVA_LONG_UNALIGNED, 8);
        long event = Integer.toUnsignedLong(r.get(JAVA_INT_UNALIGNED, 16));
        int size = r.get(JAVA_INT_UNALIGNED, 20);
        int n = size <= 0 ? 0 : Math.min(size / 8, (int) ((r.byteSize() - STACK_HDR) / 8));
        long[] ips = new long[n];
        for (int i = 0; i < n; i++) ips[i] = r.get(JAVA_LONG_UNALIGNED, STACK_HDR + 8L * i);
        partial(tid, start).stacks.put(event, ips);
    }

    private Partial partial(int tid, long start) {
        return partial.computeIfAbsent(new Key(tid, start), k -> {
            Partial p = new Partial();
            p.tid = tid;
            p.start = start;
            return p;
        });
    }

    private void session(MemorySegment r) {
        if (r.byteSize() < HDR_SIZE) throw new BpfFormatException("short session record");
        int tid = r.get(JAVA_INT_UNALIGNED, 4), pid = r.get(JAVA_INT_UNALIGNED, 8);
        int n = r.get(JAVA_INT_UNALIGNED, 12);
        long start = r.get(JAVA_LONG_UNALIGNED, 16);
        int flags = r.get(JAVA_INT_UNALIGNED, 24), chunk = r.get(JAVA_INT_UNALIGNED, 28);
        if (n < 0 || n > MAX_EVENTS || HDR_SIZE + (long) n * EVENT_SIZE > r.byteSize())
            throw new BpfFormatException("session record with " + n + " events in " + r.byteSize() + " bytes");
        Partial p = partial(tid, start);
        p.pid = pid;
        if (p.comm == null) p.comm = cString(r.asSlice(32, 16));
        if (chunk != p.nextChunk) {
            // Records of this session were dropped: the calls in between are missing.
            p.lost += chunk - p.nextChunk;
            p.stack.clear();
        }
        p.nextChunk = chunk + 1;
        if ((flags & S_OVERFLOW) != 0) p.truncated = true;
        for (int i = 0; i < n; i++) event(p, r, HDR_SIZE + (long) i * EVENT_SIZE, (long) chunk * MAX_EVENTS + i);
        if ((flags & S_FINAL) != 0) finish(p);
    }

    private void event(Partial p, MemorySegment r, long off, long index) {
        int id = r.get(JAVA_INT_UNALIGNED, off);
        int depth = Short.toUnsignedInt(r.get(JAVA_SHORT_UNALIGNED, off + 4));
        int kind = Short.toUnsignedInt(r.get(JAVA_SHORT_UNALIGNED, off + 6));
        long ts = r.get(JAVA_LONG_UNALIGNED, off + 8), ret = r.get(JAVA_LONG_UNALIGNED, off + 16);
        if (id < 0 || id >= functions.length) throw new BpfFormatException("function id " + id + " out of range");
        TracedFunction f = functions[id];
        p.lastNs = Math.max(p.lastNs, ts);
        List<Call> st = p.stack;
        if ((kind & EV_EXIT) == 0) {
            while (st.size() > depth) st.removeLast();
            Call parent = st.isEmpty() ? null : st.getLast();
            if (parent == null && p.root != null) parent = p.root; // after lost records: keep the tree rooted
            Call c = new Call(f, parent, depth, ts);
            if (p.root == null) p.root = c;
            st.add(c);
            return;
        }
        Call c = depth < st.size() ? st.get(depth) : null;
        if (c == null || c.function().id() != id) {
            // Its entry was in a lost record: show it as a call of unknown start under what we have.
            Call parent = st.isEmpty() ? p.root : st.getLast();
            c = new Call(f, parent, depth, p.start);
            if (p.root == null) p.root = c;
        }
        c.exitNs = ts;
        c.result = ret;
        c.failed = (kind & EV_FAILED) != 0;
        while (st.size() > depth) st.removeLast();
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

    private void finish(Partial p) {
        partial.remove(new Key(p.tid, p.start));
        if (p.root == null) {
            lostSessions++;
            return;
        }
        sessions++;
        long end = p.root.returned() ? p.root.exitNs() : p.lastNs;
        long[] st = p.errorEvent >= 0 ? p.stacks.getOrDefault(p.errorEvent, new long[0]) : new long[0];
        out.accept(new Session(p.tid, p.pid, p.comm, p.start, end, p.root, p.errorCall, st, p.lost, p.truncated));
    }

    static String cString(MemorySegment s) {
        byte[] b = s.toArray(JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
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
        return partial.size();
    }
}
