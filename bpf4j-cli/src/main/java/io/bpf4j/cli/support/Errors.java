package io.bpf4j.cli.support;

import io.bpf4j.BpfException;

/** How the command reports a failure: one line, a stack trace only with {@code BPF4J_DEBUG=1}. */
public final class Errors {
    private Errors() {}

    /** The one-line text of a failure: ours as they are, others with their class name. */
    public static String message(Throwable e) {
        if (e instanceof BpfException || e instanceof UsageException) return oneLine(e.getMessage());
        if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) return oneLine(String.valueOf(e.getMessage()));
        return oneLine(e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /**
     * {@code text} as one printable line: line breaks become "; " and other control characters
     * (a terminal escape in a file name or an argument) {@code \xNN}, so what a user typed or a
     * file held cannot add lines or move the cursor.
     */
    public static String oneLine(String text) {
        if (text == null) return "null";
        String t = text.strip();
        StringBuilder sb = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (!control) {
                if (sb != null) sb.append(c);
                continue;
            }
            if (sb == null) sb = new StringBuilder(t.length() + 16).append(t, 0, i);
            if (c == '\n') {
                while (sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ') sb.setLength(sb.length() - 1);
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ';' && sb.charAt(sb.length() - 1) != ':') sb.append(';');
                sb.append(' ');
                while (i + 1 < t.length() && (t.charAt(i + 1) == ' ' || t.charAt(i + 1) == '\n' || t.charAt(i + 1) == '\r')) i++;
            } else if (c == '\r' && i + 1 < t.length() && t.charAt(i + 1) == '\n') {
                // the \n that follows does it
            } else if (c == '\t') {
                sb.append(' ');
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb == null ? t : sb.toString();
    }

    /** True when the user asked for stack traces ({@code BPF4J_DEBUG=1}). */
    public static boolean debug() {
        return "1".equals(System.getenv("BPF4J_DEBUG"));
    }
}
