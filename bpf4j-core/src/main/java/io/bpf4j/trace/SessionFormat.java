package io.bpf4j.trace;

import io.bpf4j.kernel.Kallsyms;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Renders sessions as retsnoop v0.9 does (measured on Debian 5.10 and 6.1): the header line, the
 * function call trace table ({@code -T}), the deepest error stack symbolized with kallsyms and
 * merged with the recorded calls ({@code !} marks a recorded function the kernel stack does not
 * show), and a JSON-ready map per session. Column widths are computed per session.
 */
public final class SessionFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);

    private final Kallsyms kallsyms;
    private final LongFunction<String> fileLine;
    private final long monoToEpochNs;

    /**
     * @param fileLine {@code (file:line)} for an address, or null per address / for the whole
     *                 formatter when no DWARF is available
     */
    public SessionFormat(Kallsyms kallsyms, LongFunction<String> fileLine) {
        this.kallsyms = kallsyms;
        this.fileLine = fileLine;
        Instant now = Instant.now();
        this.monoToEpochNs = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    /** {@code HH:MM:SS.us -> HH:MM:SS.us TID/PID t/p (comm/comm):} */
    public String header(Session s) {
        String pcomm = s.comm();
        if (s.pid() != s.tid()) pcomm = processComm(s.pid(), s.comm());
        return time(s.startNs()) + " -> " + time(s.endNs()) + " TID/PID " + s.tid() + "/" + s.pid()
                + " (" + s.comm() + "/" + pcomm + "):";
    }

    private static String processComm(int pid, String fallback) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/comm")).strip();
        } catch (Exception e) {
            return fallback;
        }
    }

    String time(long monoNs) {
        long epoch = monoNs + monoToEpochNs;
        Instant i = Instant.ofEpochSecond(Math.floorDiv(epoch, 1_000_000_000L), Math.floorMod(epoch, 1_000_000_000L));
        return LocalDateTime.ofInstant(i, ZoneId.systemDefault()).format(TIME);
    }

    /** The whole session: header, then the table if {@code table}, then the stack if {@code stack}; ends with a blank line pair. */
    public String format(Session s, boolean table, boolean stack) {
        StringBuilder sb = new StringBuilder();
        sb.append(header(s)).append("\n\n");
        if (table) sb.append(traceTable(s)).append('\n');
        if (stack) sb.append(errorStack(s));
        if (s.truncated()) sb.append("(calls deeper than the tracer's depth limit were not recorded)\n");
        if (s.lostRecords() > 0) sb.append("‼ ... missing ").append(s.lostRecords()).append(" records ...\n");
        return sb.append("\n\n").toString();
    }

    static String result(Call c) {
        return "[" + c.resultText() + "]";
    }

    static String micros3(long ns) {
        return String.format(Locale.ROOT, "%.3fus", ns / 1000.0);
    }

    /** The FUNCTION CALL TRACE table. */
    public String traceTable(Session s) {
        record Row(String name, String result, String duration) {}
        List<Row> rows = new ArrayList<>();
        rows(s.root(), rows::add, Row::new);
        int nameW = "FUNCTION CALL TRACE".length(), resW = "RESULT".length(), durW = "DURATION".length();
        for (Row r : rows) {
            nameW = Math.max(nameW, r.name.length());
            resW = Math.max(resW, r.result.length());
            durW = Math.max(durW, r.duration.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("FUNCTION CALL TRACE", nameW)).append("   ").append(pad("RESULT", resW)).append("  ")
                .append(left("DURATION", durW)).append('\n');
        sb.append("-".repeat(nameW)).append("   ").append("-".repeat(resW)).append("  ").append("-".repeat(durW)).append('\n');
        for (Row r : rows)
            sb.append(pad(r.name, nameW)).append("   ").append(pad(r.result, resW)).append("  ").append(left(r.duration, durW)).append('\n');
        return sb.toString();
    }

    private interface RowMaker<R> {
        R make(String name, String result, String duration);
    }

    private static <R> void rows(Call c, java.util.function.Consumer<R> out, RowMaker<R> mk) {
        String indent = "    ".repeat(c.depth());
        if (c.children().isEmpty() && c.returned()) {
            out.accept(mk.make(indent + "↔ " + c.function().name(), result(c), micros3(c.durationNs())));
            return;
        }
        out.accept(mk.make(indent + "→ " + c.function().name(), "", ""));
        for (Call k : c.children()) rows(k, out, mk);
        if (c.returned()) out.accept(mk.make(indent + "← " + c.function().name(), result(c), micros3(c.durationNs())));
    }

    /** A line of the error stack: marks, optional recorded call, symbol, optional file:line. */
    record StackLine(boolean missing, Call call, String symbol, String fileLine) {}

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

    /** The error stack's lines: kernel frames in call order merged with the error's recorded calls. */
    public List<StackLine> stackLines(Session s) {
        List<StackLine> out = new ArrayList<>();
        List<Call> path = s.failed() ? s.errorPath() : List.of(s.root());
        List<long[]> frames = new ArrayList<>(); // {addr} in call order, filtered
        long[] st = s.stack();
        List<String> names = new ArrayList<>(), syms = new ArrayList<>();
        for (int i = st.length - 1; i >= 0; i--) {
            long a = st[i];
            Kallsyms.Symbol sym = kallsyms == null ? null : kallsyms.symbolize(a).orElse(null);
            if (sym != null && hidden(sym)) continue;
            frames.add(new long[] {a});
            names.add(sym == null ? null : sym.name());
            syms.add(sym == null ? "0x" + Long.toHexString(a) : sym.name() + "+0x" + Long.toHexString(a - sym.address()));
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
            for (; k < found; k++) frame(out, null, syms.get(k), frames.get(k)[0]);
            frame(out, c, syms.get(found), frames.get(found)[0]);
            k = found + 1;
        }
        // Frames below the deepest recorded call that the stack still shows (fexit: the callee itself).
        for (; k < frames.size(); k++) frame(out, null, syms.get(k), frames.get(k)[0]);
        return out;
    }

    private void frame(List<StackLine> out, Call c, String symbol, long addr) {
        out.add(new StackLine(false, c, symbol, line(addr)));
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

    /** The error stack block. */
    public String errorStack(Session s) {
        List<StackLine> lines = stackLines(s);
        int durW = 3, resW = 0, symW = 0;
        for (StackLine l : lines) {
            symW = Math.max(symW, l.symbol().length());
            if (l.call() != null) {
                durW = Math.max(durW, Long.toString(Math.max(0, l.call().durationNs()) / 1000).length());
                resW = Math.max(resW, result(l.call()).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (StackLine l : lines) {
            sb.append(l.missing() ? '!' : ' ').append(' ').append(' ');
            if (l.call() != null) {
                String d = l.call().returned() ? Long.toString(l.call().durationNs() / 1000) : "...";
                sb.append(left(d, durW)).append("us ").append(pad(result(l.call()), resW));
            } else {
                sb.append(" ".repeat(durW + 3 + resW));
            }
            sb.append("  ").append(pad(l.symbol(), symW)).append("  ");
            if (l.fileLine() != null) sb.append('(').append(l.fileLine()).append(')');
            sb.append('\n');
        }
        return sb.toString();
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
            if (l.call() != null) {
                f.put("result", l.call().resultText());
                f.put("duration_ns", l.call().durationNs());
            }
            if (l.fileLine() != null) f.put("line", l.fileLine());
            stack.add(f);
        }
        m.put("stack", stack);
        if (s.lostRecords() > 0) m.put("lost_records", s.lostRecords());
        if (s.truncated()) m.put("truncated", true);
        return m;
    }

    static Map<String, Object> callJson(Call c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("function", c.function().name());
        if (c.function().function().module() != null) m.put("module", c.function().function().module());
        m.put("result", c.returned() ? c.resultText() : null);
        m.put("failed", c.failed());
        m.put("duration_ns", c.durationNs());
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
