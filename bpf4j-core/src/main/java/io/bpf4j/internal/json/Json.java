package io.bpf4j.internal.json;

import java.util.Collection;
import java.util.Map;

/**
 * The JSON writer of every {@code --json} output: maps (in their iteration order, so a
 * LinkedHashMap gives a stable key order), collections, strings, numbers, booleans and arrays of
 * int or long. A non-finite double or float has no JSON form and is written as {@code null}.
 */
public final class Json {
    private Json() {}

    public static String write(Object o) {
        StringBuilder sb = new StringBuilder();
        write(sb, o);
        return sb.toString();
    }

    // An instanceof chain, not a pattern switch: a type switch is bootstrapped at run time
    // (the JVM's AOT cache cannot keep it), several ms of a cold `bpf4j inspect --json`.
    public static void write(StringBuilder sb, Object o) {
        if (o == null) {
            sb.append("null");
        } else if (o instanceof String s) {
            string(sb, s);
        } else if (o instanceof Character c) {
            string(sb, c.toString());
        } else if (o instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (o instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) sb.append("null");
            else sb.append(d.doubleValue());
        } else if (o instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) sb.append("null");
            else sb.append(f.floatValue());
        } else if (o instanceof Number n) {
            sb.append(n);
        } else if (o instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                string(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (o instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object x : c) {
                if (!first) sb.append(',');
                first = false;
                write(sb, x);
            }
            sb.append(']');
        } else if (o instanceof int[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) (i > 0 ? sb.append(',') : sb).append(a[i]);
            sb.append(']');
        } else if (o instanceof long[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) (i > 0 ? sb.append(',') : sb).append(a[i]);
            sb.append(']');
        } else {
            string(sb, o.toString());
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // Controls (C1 too: a terminal may act on U+009B), the separators JavaScript
                    // reads as line ends, and unpaired surrogates, which UTF-8 cannot encode and
                    // the output stream would replace by '?', all go out escaped (backslash, u, hex).
                    boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                            || (Character.isSurrogate(c) && !pair)) {
                        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                        if (pair) sb.append(s.charAt(++i));
                    }
                }
            }
        }
        sb.append('"');
    }
}
