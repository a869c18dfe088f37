package io.bpf4j.cli.top;

import io.bpf4j.ProgType;
import io.bpf4j.tools.top.Holder;
import io.bpf4j.tools.top.ProgRate;
import io.bpf4j.tools.top.RateHistory;
import io.bpf4j.tools.top.TopSample;
import io.bpf4j.tools.top.TopSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * bpf4j top's table as lines of text, for the live view and for {@code --once}: a pure function
 * of a sample, the rate history, the order, the filter and the width.
 */
final class TopTable {
    private TopTable() {}

    static final String SPARKS = "▁▂▃▄▅▆▇█";
    /** The fixed columns, then RATE (the sparkline) and HOLDERS take the rest of the width. */
    static final String HEAD = String.format("%6s %-14s %-15s %9s %8s %6s %6s", "ID", "TYPE", "NAME", "EVENTS/S", "AVG NS", "CPU%", "MISSES");
    static final int SPARK_MAX = 30, SPARK_MIN = 10, HOLDERS_MIN = 14;
    static final String NO_HOLDER = "-";
    static final String NO_HOLDER_NOTE = "HOLDERS -: no process holds an fd of it (attached by the kernel, in a prog array, pinned, or a link without fd)";
    static final String NO_HOLDER_SHORT = "HOLDERS -: held by no process (kernel attachment, prog array, pin, link without fd)";

    /** Programs that pass the filter (a case-insensitive part of the name; empty passes all), in order. */
    static List<ProgRate> select(TopSample s, Sort sort, String filter) {
        String f = filter == null ? "" : filter.toLowerCase(Locale.ROOT);
        List<ProgRate> out = new ArrayList<>();
        for (ProgRate r : s.programs()) if (f.isEmpty() || r.name().toLowerCase(Locale.ROOT).contains(f)) out.add(r);
        out.sort(sort.order);
        return out;
    }

    /** How wide the sparkline is at a terminal width: 0 where it does not fit. */
    static int sparkWidth(int width) {
        int room = width - HEAD.length() - 2 - HOLDERS_MIN;
        if (room < SPARK_MIN) return 0;
        return Math.min(SPARK_MAX, room);
    }

    /** The column header for a sparkline of {@code spark} characters (0: none). */
    static String header(int spark) {
        StringBuilder sb = new StringBuilder(HEAD);
        if (spark > 0) sb.append(' ').append(pad("RATE " + seconds(TopSampler.HISTORY_NS), spark));
        sb.append(' ').append("HOLDERS");
        return sb.toString();
    }

    /** One program's line, cut to {@code width}. */
    static String row(ProgRate r, double[] spark, int width) {
        StringBuilder sb = new StringBuilder(Math.min(width, 256));
        sb.append(String.format("%6d %-14s %-15s %9s %8s %6s %6s", r.id(), cut(typeName(r.typeValue()), 14), cut(r.name(), 15),
                rate(r.eventsPerSecond()), avg(r), cpu(r.cpuPercent()),
                r.recursionMisses() < 0 ? "-" : Long.toString(r.recursionMisses())));
        if (spark != null) sb.append(' ').append(sparkline(spark));
        sb.append(' ').append(holders(r.holders()));
        return cut(sb.toString(), width);
    }

    /** {@code socket_filter} for BPF_PROG_TYPE_SOCKET_FILTER, as bpftool names types. */
    static String typeName(int typeValue) {
        ProgType t = ProgType.of(typeValue);
        return t == null ? "type " + typeValue : t.name().toLowerCase(Locale.ROOT);
    }

    static String rate(double perSecond) {
        if (perSecond == 0) return "0";
        if (perSecond < 10) return String.format(Locale.ROOT, "%.2f", perSecond);
        if (perSecond < 100) return String.format(Locale.ROOT, "%.1f", perSecond);
        return Long.toString(Math.round(perSecond));
    }

    static String avg(ProgRate r) {
        return r.runCnt() == 0 ? "-" : Long.toString(Math.round(r.avgRunTimeNs()));
    }

    static String cpu(double percent) {
        if (percent == 0) return "0";
        return String.format(Locale.ROOT, percent < 0.01 ? "%.4f" : "%.2f", percent);
    }

    /** "1234 java, 99 agent (link)"; "-" when no process holds it. */
    static String holders(List<Holder> hs) {
        if (hs.isEmpty()) return NO_HOLDER;
        StringBuilder sb = new StringBuilder();
        for (Holder h : hs) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(h.pid()).append(' ').append(h.comm());
            if (h.viaLink()) sb.append(" (link)");
        }
        return sb.toString();
    }

    /**
     * Block characters, one per bucket, scaled to the largest bucket: ' ' for no data or no
     * events, ▁ to █ for the rest (a rate above zero is never blank).
     */
    static String sparkline(double[] buckets) {
        double max = 0;
        for (double v : buckets) if (!Double.isNaN(v)) max = Math.max(max, v);
        StringBuilder sb = new StringBuilder(buckets.length);
        for (double v : buckets) {
            if (Double.isNaN(v) || v <= 0 || max <= 0) sb.append(' ');
            else sb.append(SPARKS.charAt((int) Math.min(7, Math.max(0, Math.ceil(v / max * 8) - 1))));
        }
        return sb.toString();
    }

    static double[] spark(RateHistory h, ProgRate r, long nowNs, int width) {
        return width <= 0 || h == null ? null : h.buckets(r.id(), nowNs, width);
    }

    static String seconds(long ns) {
        return ns % 1_000_000_000L == 0 ? ns / 1_000_000_000L + "s" : ns / 1_000_000L + "ms";
    }

    static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width));
    }

    static String pad(String s, int width) {
        if (s.length() >= width) return cut(s, width);
        return s + " ".repeat(width - s.length());
    }

    /** Who keeps run-time statistics on besides top: they stay on after it exits while anyone does. */
    static String statsNote(TopSample s) {
        if (s.statsHolders().isEmpty() && !s.sysctlStats()) return "run-time stats on while top runs";
        StringBuilder sb = new StringBuilder("run-time stats also kept on by ");
        if (!s.statsHolders().isEmpty()) sb.append(holders(s.statsHolders()));
        if (s.sysctlStats()) sb.append(s.statsHolders().isEmpty() ? "" : " and ").append("sysctl kernel.bpf_stats_enabled=1");
        return sb.append(": they stay on after top exits").toString();
    }

    /** The plain table of one sample, for {@code --once}: header, rows, and the note on "-" holders if any row has one. */
    static String once(TopSample s, Sort sort, String filter) {
        StringBuilder sb = new StringBuilder();
        sb.append(header(0).stripTrailing()).append('\n');
        boolean unheld = false;
        for (ProgRate r : select(s, sort, filter)) {
            sb.append(row(r, null, Integer.MAX_VALUE).stripTrailing()).append('\n');
            unheld |= r.holders().isEmpty();
        }
        if (unheld) sb.append('\n').append(NO_HOLDER_NOTE).append('\n');
        if (!s.statsHolders().isEmpty() || s.sysctlStats()) sb.append(unheld ? "" : "\n").append(statsNote(s)).append('\n');
        return sb.toString();
    }
}
