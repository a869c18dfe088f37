package io.bpf4j.tools.trace;

import io.bpf4j.kernel.Kallsyms;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Renders sessions as retsnoop v0.9 does (measured on Debian 5.10 and 6.1): the header line, the
 * function call trace table ({@code -T}), the deepest error stack symbolized with kallsyms and
 * merged with the recorded calls ({@code !} marks a recorded function the kernel stack does not
 * show), and a JSON-ready map per session. Column widths are computed per session.
 */
public final class SessionFormat {
    private final Kallsyms kallsyms;
    private final LongFunction<String> fileLine;
    private final long monoToEpochNs;
    private final ZoneRules zone;
    private ArgLayout.Style argStyle = ArgLayout.Style.COMPACT;
    private int argWidth = 120;
    private int lbrMax = 0;

    // Caches and scratch of the allocation-free path (write): one formatter per output thread.
    /** Kernel stack address -> its frame, symbolized once (stacks repeat the same return addresses). */
    private final LongMap<Frame> frameCache = new LongMap<>(1 << 12);
    /**
     * Frames a stitched stack shows whatever they are: a recorded return address (also one in
     * the probe machinery, which a kernel stack hides) and a traced function's entry ({@code name+0x0}).
     */
    private final LongMap<Frame> stitchCache = new LongMap<>(1 << 8), entryCache = new LongMap<>(1 << 8);
    /** Result text "[-EINVAL]" per return kind and raw value. */
    private final List<LongMap<Text>> resultCache = new ArrayList<>();
    /** UTF-8 forms of function and task names, by identity (the same String objects come back). */
    private final IdentityHashMap<String, byte[]> utf8 = new IdentityHashMap<>();
    private static final byte[] ARROW = TextBuffer.utf8(" -> "), TID_PID = TextBuffer.utf8(" TID/PID "), US = TextBuffer.utf8("us ");
    private final Map<Integer, String> processComms = new HashMap<>();
    /** The start of the second {@link #cachedHms} shows, in epoch ns (none yet: never matches). */
    private long cachedSecondNs = Long.MIN_VALUE / 2;
    private final byte[] cachedHms = new byte[8];
    private Frame[] frames = new Frame[64];
    private boolean[] frameStitched = new boolean[64];
    private boolean[] lineStitched = new boolean[64];
    private Call[] path = new Call[32];
    private Call[] lineCall = new Call[64];
    private Frame[] lineFrame = new Frame[64];
    private Text[] lineResult = new Text[64];

    /*
     * The last error stack written, for the next session that would print the same one: a loop
     * that fails the same way again and again (what makes the rate high) prints the same block
     * each time, apart from -A's arguments. Its key is everything the block shows: the stack's
     * addresses, and per call on the error's path its function, microseconds and result text
     * (and its return address where the stack is stitched).
     * The block is kept without the arguments, with where each path call's arguments go.
     */
    private long[] lastKey = new long[64];
    private Object[] lastKeyRefs = new Object[64];
    private int lastKeyLongs = -1, lastKeyRefCount;
    private byte[] lastBlock = new byte[1024];
    private int lastBlockLen;
    private int[] lastArgsAt = new int[32], lastArgsCall = new int[32];
    private int lastArgsCount;

    /** One symbolized stack address, its text pre-encoded. */
    private record Frame(long address, String name, String text, byte[] symbol, boolean hidden, byte[] fileLine, Frame[] inlined) {}

    private static final Frame[] NO_FRAMES = {};

    /** A string and its UTF-8 bytes. */
    private record Text(String string, byte[] utf8) {}

    private byte[] utf8(String s) {
        byte[] b = utf8.get(s);
        if (b == null) {
            if (utf8.size() >= 4096) utf8.clear();
            utf8.put(s, b = TextBuffer.utf8(s));
        }
        return b;
    }

    /**
     * @param fileLine {@code (file:line)} for an address, or null per address / for the whole
     *                 formatter when no DWARF is available
     */
    public SessionFormat(Kallsyms kallsyms, LongFunction<String> fileLine) {
        this(kallsyms, fileLine, epochMinusMono(), ZoneId.systemDefault());
    }

    private static long epochMinusMono() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    /** With a fixed clock offset and zone (tests). */
    SessionFormat(Kallsyms kallsyms, LongFunction<String> fileLine, long monoToEpochNs, ZoneId zone) {
        this.kallsyms = kallsyms;
        this.fileLine = fileLine;
        this.monoToEpochNs = monoToEpochNs;
        this.zone = zone.getRules();
        for (int i = 0; i < ReturnKind.values().length; i++) resultCache.add(new LongMap<>(64));
    }

    /**
     * How -A arguments are printed: the form and the width each argument is cut at (0: never;
     * retsnoop's default is 120). Returns this.
     */
    public SessionFormat withArgs(ArgLayout.Style style, int width) {
        this.argStyle = style;
        this.argWidth = width;
        lastKeyLongs = -1; // a kept block's argument places are for the old style
        return this;
    }

    /** -B: print at most this many branch records (0: all). Returns this. */
    public SessionFormat withLbrMax(int max) {
        this.lbrMax = max;
        return this;
    }

    /** {@code HH:MM:SS.us -> HH:MM:SS.us TID/PID t/p (comm/comm):} */
    public String header(Session s) {
        TextBuffer b = new TextBuffer(96);
        writeHeader(s, b);
        return b.toString();
    }

    private void writeHeader(Session s, TextBuffer out) {
        writeTime(s.startNs(), out);
        out.append(ARROW);
        writeTime(s.endNs(), out);
        // " TID/PID t/p (comm/comm):" is the same for every session of a thread: kept per thread.
        Suffix x = suffixes.get(s.tid());
        if (x == null || x.pid != s.pid() || (x.comm != s.comm() && !x.comm.equals(s.comm()))) {
            TextBuffer b = new TextBuffer(64);
            b.append(TID_PID).append(s.tid()).append('/').append(s.pid()).append(' ').append('(').append(utf8(s.comm())).append('/')
                    .append(utf8(s.pid() == s.tid() ? s.comm() : processComm(s.pid(), s.comm()))).append(')').append(':');
            x = new Suffix(s.pid(), s.comm(), b.toByteArray());
            if (suffixes.size() >= 4096) suffixes.clear();
            suffixes.put(s.tid(), x);
        }
        out.append(x.bytes);
    }

    /** A thread's header after its times, for its pid and comm (the assembler hands out one String per comm). */
    private record Suffix(int pid, String comm, byte[] bytes) {}

    private final LongMap<Suffix> suffixes = new LongMap<>(64);

    /** The process's name, read once per pid (a trace runs for minutes; pids are not reused that fast). */
    private String processComm(int pid, String fallback) {
        String c = processComms.get(pid);
        if (c != null) return c;
        if (processComms.size() >= 4096) processComms.clear();
        c = readProcessComm(pid, fallback);
        // A process that is gone reads as its thread's name: do not remember that guess.
        if (c != fallback) processComms.put(pid, c);
        return c;
    }

    private static String readProcessComm(int pid, String fallback) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/comm")).strip();
        } catch (Exception e) {
            return fallback;
        }
    }

    String time(long monoNs) {
        TextBuffer b = new TextBuffer(16);
        writeTime(monoNs, b);
        return b.toString();
    }

    /** Local wall-clock time {@code HH:mm:ss.SSSSSS} (truncated to microseconds); the zone offset is looked up once per second. */
    private void writeTime(long monoNs, TextBuffer out) {
        long epoch = monoNs + monoToEpochNs;
        // C1 compiles a long division into a call to the VM (SharedRuntime::ldiv): the second is
        // divided out only when the time leaves the second of the last one printed.
        long rem = epoch - cachedSecondNs;
        if (rem < 0 || rem >= 1_000_000_000L) {
            long sec = Math.floorDiv(epoch, 1_000_000_000L);
            LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, zone.getOffset(Instant.ofEpochSecond(sec)));
            int[] v = {t.getHour(), t.getMinute(), t.getSecond()};
            for (int i = 0; i < 3; i++) {
                cachedHms[3 * i] = (byte) ('0' + v[i] / 10);
                cachedHms[3 * i + 1] = (byte) ('0' + v[i] % 10);
                if (i < 2) cachedHms[3 * i + 2] = ':';
            }
            cachedSecondNs = sec * 1_000_000_000L;
            rem = epoch - cachedSecondNs;
        }
        out.append(cachedHms);
        // rem / 1000 for 0 <= rem < 10^9 by multiply and shift: 274877907 = ceil(2^38 / 1000),
        // whose error (56 / 2^38 per unit) stays below one over that range.
        out.append('.').appendDigits((int) ((rem * 274_877_907L) >>> 38), 6);
    }

    /** The whole session: header, then the table if {@code table}, then the stack if {@code stack}; ends with a blank line pair. */
    public String format(Session s, boolean table, boolean stack) {
        TextBuffer b = new TextBuffer(1024);
        write(s, table, stack, b);
        return b.toString();
    }

    /**
     * Appends what {@link #format} returns to {@code out}, as UTF-8. In the default mode (the
     * error stack, no table) this allocates nothing per session once its caches are warm: the
     * tracer's hot path. Not thread-safe (the caches): one formatter per output thread.
     */
    public void write(Session s, boolean table, boolean stack, TextBuffer out) {
        writeHeader(s, out);
        out.append('\n').append('\n');
        if (table) out.append(traceTable(s)).append('\n');
        // Branch records are printed after the stack by the reference renderer.
        if (stack) writeErrorStack(s, out);
        if (stack && (s.lbr().length > 0 || s.lbrError() != 0)) out.append(lbr(s));
        if (s.truncated()) out.append("(calls deeper than the tracer's depth limit were not recorded)\n");
        if (s.lostRecords() > 0) out.append("‼ ... missing ").append(s.lostRecords()).append(" records ...\n");
        out.append('\n').append('\n');
    }

    static String result(Call c) {
        return "[" + c.resultText() + "]";
    }

    /** {@code [result]}, from a per-kind cache of the values seen (error codes and small results repeat). */
    private Text cachedResult(Call c) {
        if (!c.returned()) return UNFINISHED;
        LongMap<Text> m = resultCache.get(c.function().returns().ordinal());
        Text r = m.get(c.result);
        if (r == null) {
            String t = result(c);
            r = new Text(t, TextBuffer.utf8(t));
            if (m.size() >= 1024) m.clear(); // pointers: every value differs
            m.put(c.result, r);
        }
        return r;
    }

    private static final Text UNFINISHED = new Text("[...]", TextBuffer.utf8("[...]"));

    /** {@code ns} in microseconds with three decimals, {@code "%.3fus"} without the Formatter. */
    static String micros3(long ns) {
        TextBuffer b = new TextBuffer(24);
        if (ns < 0) b.append('-');
        long a = Math.abs(ns);
        b.append(a / 1000).append('.').appendZeroPadded(a % 1000, 3).append("us");
        return b.toString();
    }

    /**
     * The FUNCTION CALL TRACE table. Injected probes are {@code ◎} rows; with -A an ARGS column
     * (compact) or {@code ›} lines under each call (multi-line, verbose) hold the arguments:
     * registers at entry, memory read at exit.
     */
    public String traceTable(Session s) {
        record Row(String name, String result, String duration, List<String> args) {}
        List<Row> rows = new ArrayList<>();
        rows(s.root(), rows::add, Row::new, argStyle, argWidth);
        int nameW = "FUNCTION CALL TRACE".length(), resW = "RESULT".length(), durW = "DURATION".length();
        boolean anyArgs = false;
        for (Row r : rows) {
            nameW = Math.max(nameW, r.name.length());
            resW = Math.max(resW, r.result.length());
            durW = Math.max(durW, r.duration.length());
            anyArgs |= !r.args.isEmpty();
        }
        boolean column = anyArgs && argStyle == ArgLayout.Style.COMPACT;
        StringBuilder sb = new StringBuilder();
        sb.append(pad("FUNCTION CALL TRACE", nameW)).append("   ").append(pad("RESULT", resW)).append("  ")
                .append(left("DURATION", durW));
        if (column) sb.append("  ARGS (memory read at exit)");
        sb.append('\n');
        sb.append("-".repeat(nameW)).append("   ").append("-".repeat(resW)).append("  ").append("-".repeat(durW));
        if (column) sb.append("  ").append("-".repeat("ARGS (memory read at exit)".length()));
        sb.append('\n');
        for (Row r : rows) {
            sb.append(pad(r.name, nameW)).append("   ").append(pad(r.result, resW)).append("  ").append(left(r.duration, durW));
            if (column && !r.args.isEmpty()) sb.append("  ").append(String.join(" ", r.args));
            sb.append('\n');
            if (!column) argLines(r.args, nameW + 3, sb);
        }
        return sb.toString();
    }

    /** Multi-line and verbose arguments: {@code › name=value} under the row, at {@code indent}. */
    static void argLines(List<String> args, int indent, StringBuilder sb) {
        for (String a : args) {
            String[] lines = a.split("\n", -1);
            sb.append(" ".repeat(indent)).append("› ").append(lines[0]).append('\n');
            for (int i = 1; i < lines.length; i++) sb.append(" ".repeat(indent + 2)).append(lines[i]).append('\n');
        }
    }

    private interface RowMaker<R> {
        R make(String name, String result, String duration, List<String> args);
    }

    private static <R> void rows(Call c, java.util.function.Consumer<R> out, RowMaker<R> mk, ArgLayout.Style style, int width) {
        String indent = "    ".repeat(c.depth());
        if (c.probe()) {
            String r = c.resultText();
            out.accept(mk.make(indent + "◎ " + c.function().name(), r.isEmpty() ? "" : "[" + r + "]", "", c.args(style, width)));
            return;
        }
        if (c.children().isEmpty() && c.returned()) {
            out.accept(mk.make(indent + "↔ " + c.function().name(), result(c), micros3(c.durationNs()), c.args(style, width)));
            return;
        }
        out.accept(mk.make(indent + "→ " + c.function().name(), "", "", c.args(style, width)));
        for (Call k : c.children()) rows(k, out, mk, style, width);
        if (c.returned()) out.accept(mk.make(indent + "← " + c.function().name(), result(c), micros3(c.durationNs()), List.of()));
    }

    /**
     * A line of the error stack: marks ({@code !} a recorded call the stack does not show,
     * {@code ⌇} a frame stitched from a recorded return address), optional recorded call,
     * symbol, optional file:line.
     */
    record StackLine(boolean missing, Call call, String symbol, String fileLine, boolean stitched) {
        StackLine(boolean missing, Call call, String symbol, String fileLine) {
            this(missing, call, symbol, fileLine, false);
        }
    }

    /** A function the compiler inlined at a stack address, and the file:line inside it. */
    public record Inlined(String function, String fileLine) {}

    /**
     * A file:line source (DWARF) that also knows the inlined functions at an address: the
     * frame's own line is then the outermost location (in the symbol's function), and each
     * inlined function gets a {@code . name (file:line)} row under it, outermost first, as
     * retsnoop prints them.
     */
    public interface InlineSource extends LongFunction<String> {
        List<Inlined> inlined(long addr);
    }

    /**
     * The error stack's lines: kernel frames in call order merged with the error's recorded calls.
     * A stack taken at the session's entry (kretprobes before 5.15 see one frame) is continued
     * below the entry function with each recorded call's return address (the frame it was called
     * from, when that is not its recorded caller's) and the call itself: stitched, marked.
     */
    public List<StackLine> stackLines(Session s) {
        List<StackLine> out = new ArrayList<>();
        List<Call> path = s.failed() ? s.errorPath() : List.of(s.root());
        List<long[]> frames = new ArrayList<>(); // {addr, stitched} in call order, filtered
        long[] st = s.stack();
        List<String> names = new ArrayList<>(), syms = new ArrayList<>();
        for (int i = st.length - 1; i >= 0; i--) {
            long a = st[i];
            Frame f = frame(a);
            if (f.hidden()) continue;
            frames.add(new long[] {a, 0});
            names.add(f.name());
            syms.add(f.text());
        }
        if (s.stackAtEntry()) {
            // With a stack taken at the root's entry, it ends at the root; without one (only
            // return addresses were recorded), the root's own return address starts the stack.
            int from = !names.isEmpty() && path.getFirst().function().name().equals(names.getLast()) ? 1 : 0;
            for (int p = from; p < path.size(); p++) {
                Call c = path.get(p);
                long ra = c.returnAddress();
                Frame caller = ra == 0 ? null : frame(ra);
                if (caller != null && caller.name() != null) {
                    String text = caller.text();
                    int last = names.size() - 1;
                    if (last >= 0 && caller.name().equals(names.get(last))) {
                        // The caller is the frame above: it now stands where it made this call.
                        frames.set(last, new long[] {ra, frames.get(last)[1]});
                        syms.set(last, text);
                    } else {
                        frames.add(new long[] {ra, 1});
                        names.add(caller.name());
                        syms.add(text);
                    }
                }
                long a = c.function().function().address();
                frames.add(new long[] {a, 1});
                names.add(c.function().name());
                syms.add(c.function().name() + "+0x0");
            }
        }
        int k = 0;
        for (Call c : path) {
            int found = -1;
            for (int j = k; j < frames.size(); j++) {
                if (c.function().name().equals(names.get(j))) {
                    found = j;
                    break;
                }
            }
            if (found < 0) {
                out.add(new StackLine(true, c, c.function().name(), null));
                continue;
            }
            for (; k < found; k++) frame(out, null, syms.get(k), frames.get(k)[0], frames.get(k)[1] != 0);
            frame(out, c, syms.get(found), frames.get(found)[0], frames.get(found)[1] != 0);
            k = found + 1;
        }
        // Frames below the deepest recorded call that the stack still shows (fexit: the callee itself).
        for (; k < frames.size(); k++) frame(out, null, syms.get(k), frames.get(k)[0], frames.get(k)[1] != 0);
        return out;
    }

    private void frame(List<StackLine> out, Call c, String symbol, long addr, boolean stitched) {
        out.add(new StackLine(false, c, symbol, line(addr), stitched));
        if (fileLine instanceof InlineSource s) for (Inlined i : s.inlined(addr)) out.add(new StackLine(false, null, ". " + i.function(), i.fileLine()));
    }

    private String line(long addr) {
        return fileLine == null ? null : fileLine.apply(addr);
    }

    /** Trampolines, BPF programs and the tracer's own probe machinery are not part of the story. */
    static boolean hidden(Kallsyms.Symbol s) {
        String n = s.name();
        return "bpf".equals(s.module()) || n.contains("trampoline") || n.startsWith("bpf_trace_run") || n.equals("trace_call_bpf")
                || n.startsWith("kprobe_") || n.startsWith("kretprobe_") || n.startsWith("__kretprobe_") || n.startsWith("rethook_")
                || n.startsWith("arch_rethook_") || n.startsWith("fprobe_") || n.startsWith("__fprobe_") || n.startsWith("bpf_kprobe_multi")
                || n.startsWith("kprobe_multi_") || n.startsWith("__bpf_prog_enter") || n.startsWith("__bpf_prog_exit")
                || n.startsWith("bpf_get_stack") || n.startsWith("perf_trace_") || n.equals("aggr_pre_handler") || n.equals("opt_pre_handler")
                || n.equals("optimized_callback") || n.equals("pre_handler_kretprobe") || n.startsWith("ftrace_") || n.startsWith("arch_ftrace_")
                || n.equals("kprobe_ftrace_handler") || n.equals("exc_int3") || n.equals("asm_exc_int3") || n.startsWith("do_int3");
    }

    /** The frame of a stack address, symbolized and classified once. */
    private Frame frame(long a) {
        Frame f = frameCache.get(a);
        if (f != null) return f;
        Kallsyms.Symbol sym = kallsyms == null ? null : kallsyms.symbolize(a).orElse(null);
        boolean hide = sym != null && hidden(sym);
        String text = sym == null ? "0x" + Long.toHexString(a) : sym.name() + "+0x" + Long.toHexString(a - sym.address());
        f = newFrame(a, sym == null ? null : sym.name(), text, hide);
        if (frameCache.size() >= 1 << 16) frameCache.clear();
        frameCache.put(a, f);
        return f;
    }

    /** The frame of a recorded return address: as {@link #frame(long)}, but never hidden. */
    private Frame stitchFrame(long a) {
        Frame f = frame(a);
        if (!f.hidden) return f;
        Frame g = stitchCache.get(a);
        if (g != null) return g;
        g = newFrame(a, f.name, f.text, false);
        if (stitchCache.size() >= 1 << 12) stitchCache.clear();
        stitchCache.put(a, g);
        return g;
    }

    /** The frame of a traced function's entry, {@code name+0x0}, named as the function is traced. */
    private Frame entryFrame(TracedFunction fn) {
        long a = fn.function().address();
        Frame f = entryCache.get(a);
        if (f != null && f.name.equals(fn.name())) return f;
        f = newFrame(a, fn.name(), fn.name() + "+0x0", false);
        if (entryCache.size() >= 1 << 12) entryCache.clear();
        entryCache.put(a, f);
        return f;
    }

    private Frame newFrame(long a, String name, String text, boolean hide) {
        String fl = hide ? null : line(a);
        Frame[] inl = NO_FRAMES;
        if (!hide && fileLine instanceof InlineSource src) {
            // The rows under the frame: ". name (file:line)" per inlined function, as stackLines makes them.
            List<Inlined> l = src.inlined(a);
            inl = new Frame[l.size()];
            for (int i = 0; i < inl.length; i++) {
                String t = ". " + l.get(i).function();
                String ifl = l.get(i).fileLine();
                inl[i] = new Frame(a, null, t, TextBuffer.utf8(t), false, ifl == null ? null : TextBuffer.utf8(ifl), NO_FRAMES);
            }
        }
        return new Frame(a, name, text, TextBuffer.utf8(text), hide, fl == null ? null : TextBuffer.utf8(fl), inl);
    }

    /**
     * {@link #errorStack} into {@code out} without building {@link StackLine}s: the same merge of
     * kernel frames and recorded calls, over reused arrays and cached frames.
     */
    private void writeErrorStack(Session s, TextBuffer out) {
        // The error's call chain, outermost first (the root alone for a successful session).
        int np = 0;
        for (Call c = s.failed() ? s.errorCall() : s.root(); c != null; c = s.failed() ? c.parent() : null) {
            if (np == path.length) path = Arrays.copyOf(path, np * 2);
            path[np++] = c;
        }
        for (int i = 0, j = np - 1; i < j; i++, j--) {
            Call t = path[i];
            path[i] = path[j];
            path[j] = t;
        }
        long[] st = s.stack();
        // Arguments printed under their line (multi-line, verbose) are not kept.
        boolean cacheable = argStyle == ArgLayout.Style.COMPACT;
        int keyLongs = cacheable ? key(st, s.stackAtEntry(), np) : 0;
        if (cacheable && sameKey(keyLongs, np)) {
            replayBlock(np, out);
            Arrays.fill(path, 0, np, null);
            return;
        }
        // A miss: the block is written and, if cacheable, kept as the new last one. Each path call
        // has at most one line, so np bounds the argument places.
        lastKeyLongs = -1;
        int blockStart = out.length(), nArgs = 0;
        if (cacheable && lastArgsAt.length < np) {
            lastArgsAt = new int[2 * np];
            lastArgsCall = new int[2 * np];
            argsFrom = new int[2 * np];
            argsTo = new int[2 * np];
        }
        int nf = 0;
        for (int i = st.length - 1; i >= 0; i--) {
            Frame f = frame(st[i]);
            if (f.hidden) continue;
            nf = addFrame(nf, f, false);
        }
        if (s.stackAtEntry()) nf = stitch(np, nf);
        int need = np;
        for (int i = 0; i < nf; i++) need += 1 + frames[i].inlined.length;
        if (lineCall.length < need) {
            lineCall = new Call[need];
            lineFrame = new Frame[need];
            lineResult = new Text[need];
            lineStitched = new boolean[need];
        }
        int nl = 0, k = 0;
        for (int p = 0; p < np; p++) {
            Call c = path[p];
            String name = c.function().name();
            int found = -1;
            for (int j = k; j < nf; j++) {
                if (name.equals(frames[j].name)) {
                    found = j;
                    break;
                }
            }
            if (found < 0) { // recorded, but not on the kernel stack: the line is marked '!'
                lineCall[nl] = c;
                lineStitched[nl] = false;
                lineFrame[nl++] = null;
                continue;
            }
            for (; k < found; k++) nl = frameLines(nl, null, frames[k], frameStitched[k]);
            nl = frameLines(nl, c, frames[found], frameStitched[found]);
            k = found + 1;
        }
        for (; k < nf; k++) nl = frameLines(nl, null, frames[k], frameStitched[k]);
        boolean stitched = false;
        int durW = 3, resW = 0, symW = 0;
        for (int i = 0; i < nl; i++) {
            Call c = lineCall[i];
            symW = Math.max(symW, lineFrame[i] == null ? c.function().name().length() : lineFrame[i].text().length());
            if (c != null) {
                durW = Math.max(durW, TextBuffer.digits(Math.max(0, c.durationNs()) / 1000));
                lineResult[i] = cachedResult(c);
                resW = Math.max(resW, lineResult[i].string.length());
            }
        }
        for (int i = 0; i < nl; i++) {
            Call c = lineCall[i];
            Frame f = lineFrame[i];
            stitched |= lineStitched[i];
            out.append(f == null ? '!' : ' ').append(lineStitched[i] ? STITCH : ' ').append(' ');
            if (c != null) {
                if (c.returned()) {
                    long us = c.durationNs() / 1000;
                    out.spaces(durW - (us < 0 ? 1 + TextBuffer.digits(-us) : TextBuffer.digits(us))).append(us);
                } else {
                    out.spaces(durW - 3).append("...");
                }
                out.append(US).append(lineResult[i].utf8).spaces(resW - lineResult[i].string.length());
            } else {
                out.spaces(durW + 3 + resW);
            }
            out.append(' ').append(' ');
            if (f == null) out.append(utf8(c.function().name())).spaces(symW - c.function().name().length());
            else out.append(f.symbol).spaces(symW - f.text().length());
            out.append(' ').append(' ');
            if (f != null && f.fileLine != null) out.append('(').append(f.fileLine).append(')');
            if (c != null && argStyle == ArgLayout.Style.COMPACT) {
                if (cacheable) {
                    argsFrom[nArgs] = out.length();
                    lastArgsCall[nArgs] = pathIndex(c, np);
                }
                byte[] line = c.argsLine(argWidth);
                if (line.length > 0) out.spaces(4).append(line);
                if (cacheable) argsTo[nArgs++] = out.length();
            }
            out.append('\n');
            List<String> args = c == null || argStyle == ArgLayout.Style.COMPACT ? List.of() : c.args(argStyle, argWidth);
            if (!args.isEmpty()) {
                StringBuilder lines = new StringBuilder();
                argLines(args, 3 + durW + 2, lines);
                out.append(lines.toString());
            }
        }
        if (stitched && st.length > 0) out.append(STITCHED_ABOVE).append(utf8(s.root().function().name())).append(STITCHED_ENTRY);
        else if (stitched) out.append(STITCHED_RETURNS);
        if (cacheable) keepBlock(keyLongs, np, out, blockStart, nArgs);
        Arrays.fill(lineResult, 0, nl, null);
        Arrays.fill(lineCall, 0, nl, null);
        Arrays.fill(lineFrame, 0, nl, null);
        Arrays.fill(frames, 0, nf, null);
        Arrays.fill(path, 0, np, null);
    }

    /** Where a block being written has each path call's arguments (start and end in out). */
    private int[] argsFrom = new int[32], argsTo = new int[32];

    private int pathIndex(Call c, int np) {
        for (int p = 0; p < np; p++) if (path[p] == c) return p;
        throw new IllegalStateException("a stack line's call is not on the error path");
    }

    /**
     * The key of the error stack of {@link #path}[0, np) over {@code st} (see {@link #lastKey})
     * into {@link #keyScratch} and {@link #refScratch}; returns how many longs. A stitched stack
     * (taken at the root's entry, -K before 5.15) also shows each call's recorded return address.
     */
    private int key(long[] st, boolean atEntry, int np) {
        int need = 1 + st.length + (atEntry ? 2 : 1) * np;
        if (keyScratch.length < need) keyScratch = new long[need];
        if (refScratch.length < 2 * np) refScratch = new Object[2 * np];
        long[] into = keyScratch;
        Object[] refs = refScratch;
        int n = 0;
        into[n++] = atEntry ? -st.length - 1 : st.length;
        for (long a : st) into[n++] = a;
        for (int p = 0; p < np; p++) {
            Call c = path[p];
            into[n++] = c.returned() ? c.durationNs() / 1000 : Long.MIN_VALUE;
            if (atEntry) into[n++] = c.returnAddress();
            refs[2 * p] = c.function();
            refs[2 * p + 1] = cachedResult(c).string;
        }
        return n;
    }

    /** The key being built ({@link #key}); it becomes {@link #lastKey} when its block is kept. */
    private long[] keyScratch = new long[64];
    private Object[] refScratch = new Object[64];

    /** True if the key just built is the kept block's. */
    private boolean sameKey(int n, int np) {
        if (lastKeyLongs != n || lastKeyRefCount != 2 * np) return false;
        if (!Arrays.equals(keyScratch, 0, n, lastKey, 0, n)) return false;
        for (int i = 0; i < 2 * np; i++) {
            Object a = refScratch[i], b = lastKeyRefs[i];
            if (a != b && !a.equals(b)) return false; // result texts are equal strings when their cache was refilled
        }
        return true;
    }

    /** Keeps the block just written (from {@code blockStart} in out) under the key just built. */
    private void keepBlock(int keyLongs, int np, TextBuffer out, int blockStart, int nArgs) {
        long[] spareKey = lastKey;
        lastKey = keyScratch;
        keyScratch = spareKey;
        Object[] spareRefs = lastKeyRefs;
        lastKeyRefs = refScratch;
        refScratch = spareRefs;
        lastKeyLongs = keyLongs;
        lastKeyRefCount = 2 * np;
        int len = out.length() - blockStart;
        for (int k = 0; k < nArgs; k++) len -= argsTo[k] - argsFrom[k];
        if (lastBlock.length < len) lastBlock = new byte[Math.max(len, 2 * lastBlock.length)];
        int from = blockStart, at = 0;
        for (int k = 0; k < nArgs; k++) {
            out.copyRange(from, argsFrom[k], lastBlock, at);
            at += argsFrom[k] - from;
            lastArgsAt[k] = at;
            from = argsTo[k];
        }
        out.copyRange(from, out.length(), lastBlock, at);
        lastBlockLen = at + out.length() - from;
        lastArgsCount = nArgs;
    }

    /** The kept block again, with this session's arguments where its path calls' arguments go. */
    private void replayBlock(int np, TextBuffer out) {
        int from = 0;
        for (int k = 0; k < lastArgsCount; k++) {
            out.append(lastBlock, from, lastArgsAt[k] - from);
            byte[] line = path[lastArgsCall[k]].argsLine(argWidth);
            if (line.length > 0) out.spaces(4).append(line);
            from = lastArgsAt[k];
        }
        out.append(lastBlock, from, lastBlockLen - from);
    }

    private static final char STITCH = '\u2307';
    private static final byte[] STITCHED_ABOVE = TextBuffer.utf8("   (\u2307 stitched: the stack above "),
            STITCHED_ENTRY = TextBuffer.utf8(" was taken at its entry, the frames below it are the recorded calls' return addresses)\n"),
            STITCHED_RETURNS = TextBuffer.utf8("   (\u2307 stitched from the recorded calls' return addresses)\n");

    private int addFrame(int nf, Frame f, boolean stitched) {
        if (nf == frames.length) {
            frames = Arrays.copyOf(frames, nf * 2);
            frameStitched = Arrays.copyOf(frameStitched, nf * 2);
        }
        frameStitched[nf] = stitched;
        frames[nf++] = f;
        return nf;
    }

    /**
     * Continues a stack taken at the root's entry (or no stack: only return addresses were
     * recorded) below it, as {@link #stackLines} does: per call of the error's chain, the frame
     * its return address is in (replacing the frame above when that is the same function, which
     * then stands where it made the call), then the call's own entry.
     */
    private int stitch(int np, int nf) {
        int from = nf > 0 && path[0].function().name().equals(frames[nf - 1].name) ? 1 : 0;
        for (int p = from; p < np; p++) {
            Call c = path[p];
            long ra = c.returnAddress();
            Frame caller = ra == 0 ? null : stitchFrame(ra);
            if (caller != null && caller.name != null) {
                if (nf > 0 && caller.name.equals(frames[nf - 1].name)) frames[nf - 1] = caller;
                else nf = addFrame(nf, caller, true);
            }
            nf = addFrame(nf, entryFrame(c.function()), true);
        }
        return nf;
    }

    /** A frame's line, then its inlined functions' rows; returns the next line index. */
    private int frameLines(int nl, Call c, Frame f, boolean stitched) {
        lineCall[nl] = c;
        lineStitched[nl] = stitched;
        lineFrame[nl++] = f;
        for (Frame i : f.inlined) {
            lineCall[nl] = null;
            lineStitched[nl] = false;
            lineFrame[nl++] = i;
        }
        return nl;
    }

    /** The error stack block (with -A, each recorded call's arguments beside or under it). */
    public String errorStack(Session s) {
        List<StackLine> lines = stackLines(s);
        int durW = 3, resW = 0, symW = 0;
        boolean stitched = false;
        for (StackLine l : lines) {
            symW = Math.max(symW, l.symbol().length());
            stitched |= l.stitched();
            if (l.call() != null) {
                durW = Math.max(durW, Long.toString(Math.max(0, l.call().durationNs()) / 1000).length());
                resW = Math.max(resW, result(l.call()).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (StackLine l : lines) {
            sb.append(l.missing() ? '!' : ' ').append(l.stitched() ? '⌇' : ' ').append(' ');
            if (l.call() != null) {
                String d = l.call().returned() ? Long.toString(l.call().durationNs() / 1000) : "...";
                sb.append(left(d, durW)).append("us ").append(pad(result(l.call()), resW));
            } else {
                sb.append(" ".repeat(durW + 3 + resW));
            }
            sb.append("  ").append(pad(l.symbol(), symW)).append("  ");
            if (l.fileLine() != null) sb.append('(').append(l.fileLine()).append(')');
            List<String> args = l.call() == null ? List.of() : l.call().args(argStyle, argWidth);
            if (!args.isEmpty() && argStyle == ArgLayout.Style.COMPACT) sb.append("    ").append(String.join(" ", args));
            sb.append('\n');
            if (argStyle != ArgLayout.Style.COMPACT) argLines(args, 3 + durW + 2, sb);
        }
        if (stitched && s.stack().length > 0) sb.append("   (⌇ stitched: the stack above ").append(s.root().function().name())
                .append(" was taken at its entry, the frames below it are the recorded calls' return addresses)\n");
        else if (stitched) sb.append("   (⌇ stitched from the recorded calls' return addresses)\n");
        return sb.toString();
    }

    /**
     * -B: the last branch records taken at the error, oldest first, as retsnoop prints them
     * ({@code [#NN] from+off -> to+off}). The newest records are the tracer's own machinery
     * (its BPF program, the trampoline or kprobe that ran it); they are cut up to the last record
     * that touches anything else.
     */
    public String lbr(Session s) {
        StringBuilder sb = new StringBuilder();
        if (s.lbrError() != 0) {
            return sb.append("[LBR] no branch records: bpf_get_branch_snapshot returned -")
                    .append(KernelErrors.name(-s.lbrError())).append('\n').toString();
        }
        long[] e = s.lbr();
        int n = e.length / 3;
        int first = 0; // newest relevant
        while (first < n && machinery(e[3 * first]) && machinery(e[3 * first + 1])) first++;
        boolean unfiltered = first == n;
        if (unfiltered) first = 0;
        int last = n - 1;
        if (lbrMax > 0) last = Math.min(last, first + lbrMax - 1);
        if (unfiltered) sb.append("[LBR] No relevant LBR data were captured, showing unfiltered LBR stack!\n");
        List<String[]> rows = new ArrayList<>();
        int fromW = 0;
        for (int i = last; i >= first; i--) {
            String from = lbrAddr(e[3 * i]), to = lbrAddr(e[3 * i + 1]);
            rows.add(new String[] {String.format("[#%02d]", i), from, to});
            fromW = Math.max(fromW, from.length());
        }
        for (String[] r : rows) sb.append(r[0]).append(' ').append(pad(r[1], fromW)).append("  ->  ").append(r[2]).append('\n');
        return sb.toString();
    }

    private String lbrAddr(long a) {
        Kallsyms.Symbol sym = kallsyms == null ? null : kallsyms.symbolize(a).orElse(null);
        String t = sym == null ? "0x" + Long.toHexString(a) : sym.name() + "+0x" + Long.toHexString(a - sym.address());
        String fl = line(a);
        return fl == null ? t : t + " (" + fl + ")";
    }

    private boolean machinery(long a) {
        Kallsyms.Symbol sym = kallsyms == null ? null : kallsyms.symbolize(a).orElse(null);
        return sym == null || hidden(sym);
    }

    /** One JSON object per session: times, task, result, the call tree and the error stack. */
    public Map<String, Object> json(Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", time(s.startNs()));
        m.put("end", time(s.endNs()));
        m.put("start_ns", s.startNs());
        m.put("duration_ns", s.durationNs());
        m.put("tid", s.tid());
        m.put("pid", s.pid());
        m.put("comm", s.comm());
        m.put("failed", s.failed());
        m.put("result", s.root().returned() ? s.root().resultText() : null);
        if (s.failed()) m.put("error", s.errorCall().resultText());
        m.put("calls", callJson(s.root()));
        List<Map<String, Object>> stack = new ArrayList<>();
        for (StackLine l : stackLines(s)) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("symbol", l.symbol());
            if (l.missing()) f.put("missing_from_stack", true);
            if (l.stitched()) f.put("stitched", true);
            if (l.call() != null) {
                f.put("result", l.call().resultText());
                f.put("duration_ns", l.call().durationNs());
            }
            if (l.fileLine() != null) f.put("line", l.fileLine());
            stack.add(f);
        }
        m.put("stack", stack);
        if (s.stackAtEntry()) m.put("stack_at_entry", true);
        if (s.lbrError() != 0) m.put("lbr_error", s.lbrError());
        if (s.lbr().length > 0) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i + 2 < s.lbr().length; i += 3) l.add(List.of(lbrAddr(s.lbr()[i]), lbrAddr(s.lbr()[i + 1])));
            m.put("lbr", l);
        }
        if (s.lostRecords() > 0) m.put("lost_records", s.lostRecords());
        if (s.truncated()) m.put("truncated", true);
        return m;
    }

    static Map<String, Object> callJson(Call c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(c.probe() ? "probe" : "function", c.function().name());
        if (c.function().function().module() != null) m.put("module", c.function().function().module());
        if (c.probe()) {
            if (!c.resultText().isEmpty()) m.put("value", c.resultText());
        } else {
            m.put("result", c.returned() ? c.resultText() : null);
            m.put("failed", c.failed());
            m.put("duration_ns", c.durationNs());
        }
        if (c.hasArgs()) m.put("args", c.args(ArgLayout.Style.COMPACT, 0));
        if (!c.children().isEmpty()) {
            List<Object> k = new ArrayList<>();
            for (Call x : c.children()) k.add(callJson(x));
            m.put("calls", k);
        }
        return m;
    }

    static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    static String left(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
