package io.bpf4j.cli.top;

import io.bpf4j.tools.top.ProgRate;
import io.bpf4j.tools.top.RateHistory;
import io.bpf4j.tools.top.TopSample;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The live view's state (order, filter, scroll position) and the keys that change it; draws a
 * whole frame as text with ANSI escapes. Knows nothing of the terminal or the kernel, so its
 * key handling and frames are testable as strings.
 */
final class TopScreen {
    static final String REVERSE = "\033[7m", PLAIN = "\033[0m", CLEAR_EOL = "\033[K", HOME = "\033[H", CLEAR_BELOW = "\033[J";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** Lines above the table (title, summary, column header) and below it (footer). */
    static final int ABOVE = 3, BELOW = 1;

    final long intervalNs;
    Sort sort;
    String filter = "";
    /** Non-null while the user types a filter after '/'. */
    StringBuilder editing;
    int offset;
    boolean quit;

    TopScreen(long intervalNs, Sort sort) {
        this.intervalNs = intervalNs;
        this.sort = sort;
    }

    /**
     * Applies what was typed (one read: keys and escape sequences) and says whether the view
     * changed. q quits; s cycles the order; / starts a filter (Enter keeps it, Esc drops it);
     * Esc drops a kept filter; arrows, j/k, PgUp/PgDn scroll.
     */
    boolean keys(String in, int pageRows) {
        boolean changed = false;
        for (int i = 0; i < in.length(); ) {
            char c = in.charAt(i);
            String key;
            if (c == '\033' && i + 1 < in.length() && (in.charAt(i + 1) == '[' || in.charAt(i + 1) == 'O')) {
                int j = i + 2;
                while (j < in.length() && (in.charAt(j) < 0x40 || in.charAt(j) > 0x7e)) j++;
                key = in.substring(i, Math.min(in.length(), j + 1));
                i = j + 1;
            } else {
                key = String.valueOf(c);
                i++;
            }
            changed |= key(key, pageRows);
            if (quit) return true;
        }
        return changed;
    }

    private boolean key(String k, int pageRows) {
        if (editing != null) {
            switch (k) {
                case "\r", "\n" -> editing = null;
                case "\033" -> {
                    editing = null;
                    filter = "";
                }
                case "\177", "\b" -> {
                    if (!editing.isEmpty()) editing.setLength(editing.length() - 1);
                }
                case "\025" -> editing.setLength(0); // Ctrl-U
                case "\004" -> quit = true;
                default -> {
                    if (k.length() == 1 && k.charAt(0) >= ' ') editing.append(k);
                    else return false;
                }
            }
            if (editing != null) filter = editing.toString();
            offset = 0;
            return true;
        }
        switch (k) {
            case "q", "Q", "\004" -> quit = true;
            case "s" -> {
                sort = sort.next();
                offset = 0;
            }
            case "/" -> editing = new StringBuilder(filter);
            case "\033" -> {
                if (filter.isEmpty()) return false;
                filter = "";
                offset = 0;
            }
            case "\033[A", "\033OA", "k" -> offset = Math.max(0, offset - 1);
            case "\033[B", "\033OB", "j" -> offset++;
            case "\033[5~" -> offset = Math.max(0, offset - Math.max(1, pageRows));
            case "\033[6~" -> offset += Math.max(1, pageRows);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A whole frame for a terminal of {@code rows} x {@code cols}; {@code sample} is null before the first. */
    String frame(TopSample sample, RateHistory history, int rows, int cols, LocalTime clock) {
        List<String> lines = new ArrayList<>(rows);
        String title = "bpf4j top  " + clock.format(CLOCK) + "  every " + TopTable.seconds(intervalNs)
                + "  sort: " + sort.option() + " (" + sort.meaning + ")"
                + (filter.isEmpty() && editing == null ? "" : "  filter: " + filter);
        lines.add(title);
        int tableRows = Math.max(0, rows - ABOVE - BELOW);
        int spark = TopTable.sparkWidth(cols);
        List<String> body = new ArrayList<>();
        if (sample == null) {
            lines.add("run-time stats are on while top runs; first sample in " + TopTable.seconds(intervalNs) + "...");
        } else {
            List<ProgRate> shown = TopTable.select(sample, sort, filter);
            double events = 0, cpu = 0;
            for (ProgRate r : sample.programs()) {
                events += r.eventsPerSecond();
                cpu += r.cpuPercent();
            }
            lines.add(sample.programs().size() + " programs" + (filter.isEmpty() ? "" : ", " + shown.size() + " match")
                    + "  events/s " + TopTable.rate(events) + "  CPU% " + TopTable.cpu(cpu)
                    + "  " + TopTable.statsNote(sample));
            offset = Math.max(0, Math.min(offset, shown.size() - tableRows));
            for (int i = offset; i < shown.size() && body.size() < tableRows; i++) {
                ProgRate r = shown.get(i);
                body.add(TopTable.row(r, TopTable.spark(history, r, sample.atNanos(), spark), cols));
            }
            if (shown.isEmpty()) body.add(filter.isEmpty() ? "no BPF programs loaded" : "no program name contains '" + filter + "'");
        }
        StringBuilder sb = new StringBuilder(HOME);
        for (String l : lines) sb.append(TopTable.cut(l, cols)).append(CLEAR_EOL).append("\r\n");
        sb.append(REVERSE).append(TopTable.pad(TopTable.header(spark), cols)).append(PLAIN).append(CLEAR_EOL).append("\r\n");
        for (int i = 0; i < tableRows; i++) {
            if (i < body.size()) sb.append(body.get(i));
            sb.append(CLEAR_EOL).append("\r\n");
        }
        sb.append(TopTable.cut(footer(), cols)).append(CLEAR_EOL).append(CLEAR_BELOW);
        return sb.toString();
    }

    String footer() {
        if (editing != null) return "filter: " + editing + "_   Enter keep, Esc clear";
        return "q quit  s sort  / filter  Esc clear  ↑↓ PgUp PgDn scroll   " + TopTable.NO_HOLDER_SHORT;
    }
}
