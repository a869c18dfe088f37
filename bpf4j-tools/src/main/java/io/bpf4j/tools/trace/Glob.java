package io.bpf4j.tools.trace;

import io.bpf4j.BpfFormatException;

import java.util.regex.Pattern;

/**
 * A shell-style name pattern as retsnoop takes them: {@code *} any run of characters,
 * {@code ?} one character, everything else literal. A pattern without {@code *} or {@code ?}
 * is an exact name.
 */
public record Glob(String text, Pattern regex) {
    public static Glob of(String text) {
        if (text == null || text.isEmpty()) throw new BpfFormatException("empty function pattern");
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> {
                    if (Character.isWhitespace(c) || c == '[' || c == ']')
                        throw new BpfFormatException("function pattern '" + text + "': unexpected '" + c + "'");
                    sb.append(Pattern.quote(String.valueOf(c)));
                }
            }
        }
        return new Glob(text, Pattern.compile(sb.toString()));
    }

    public boolean matches(String name) {
        return regex.matcher(name).matches();
    }

    public boolean isWild() {
        return text.indexOf('*') >= 0 || text.indexOf('?') >= 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
