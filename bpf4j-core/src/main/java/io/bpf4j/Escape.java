package io.bpf4j;

/**
 * Text taken from a file or the kernel made safe to print in a one-line message: a BTF or ELF
 * name, a line of a Debian index, a kallsyms or fdinfo field may hold any byte, and a terminal
 * acts on control characters and escape sequences (ESC, CSI) instead of showing them.
 *
 * <p>{@link #text} escapes C0 and C1 controls and DEL ({@code \n}, {@code \t}, {@code \r},
 * otherwise {@code \xNN}), Unicode format characters (bidi overrides, zero-width), line and
 * paragraph separators and unpaired surrogates (backslash, u, four hex digits), and the backslash itself, so
 * the escaped form is unambiguous. {@link #controls} escapes the same characters but leaves
 * backslashes alone, so applying it to a message that already holds escaped parts changes
 * nothing: {@link io.bpf4j.BpfFormatException} applies it to every message.
 */
public final class Escape {
    /** Longer input is cut here: a message names a string, it does not reproduce a 1 MB one. */
    public static final int MAX = 256;

    private Escape() {}

    /** {@code s} escaped, backslashes included, and cut to {@link #MAX} characters plus "...". */
    public static String text(CharSequence s) {
        if (s == null) return "null";
        return escape(s, true, MAX);
    }

    /** {@code s} with every character {@link #text} escapes escaped except the backslash; not cut. */
    public static String controls(CharSequence s) {
        if (s == null) return null;
        return escape(s, false, Integer.MAX_VALUE);
    }

    /** Whether {@link #controls} would leave {@code s} as it is. */
    public static boolean isPrintable(CharSequence s) {
        for (int i = 0; i < s.length(); i++) if (needsEscape(s, i)) return false;
        return true;
    }

    private static String escape(CharSequence s, boolean backslash, int max) {
        int n = s.length();
        int i = 0;
        while (i < n && !needsEscape(s, i) && !(backslash && s.charAt(i) == '\\') && i < max) i++;
        if (i == n) return s.toString();
        StringBuilder sb = new StringBuilder(Math.min(n, max) + 16).append(s, 0, i);
        for (; i < n; i++) {
            if (sb.length() >= max) {
                if (Character.isHighSurrogate(sb.charAt(sb.length() - 1))) sb.setLength(sb.length() - 1); // half a pair
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c == '\\' && backslash) sb.append("\\\\");
            else if (!needsEscape(s, i)) sb.append(c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\t') sb.append("\\t");
            else if (c == '\r') sb.append("\\r");
            else if (c < 0x100) sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            else sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
        }
        return sb.toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static boolean needsEscape(CharSequence s, int i) {
        char c = s.charAt(i);
        if (c >= 0x20 && c < 0x7f) return false;
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
