package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tracepoint's record layout, from tracefs {@code events/CATEGORY/NAME/format}: the fields
 * after the common ones, each with its offset, size and signedness. {@code __data_loc} fields
 * (variable-length strings stored after the fixed part) are decoded from their offset/length word.
 */
public record TracepointFormat(String category, String name, List<Field> fields, int recordSize) {
    /** One field: {@code type} as the format file spells it ({@code __data_loc char[]}, {@code const char *}, {@code pid_t}). */
    public record Field(String type, String name, int offset, int size, boolean signed) {
        boolean dataLoc() {
            return type.startsWith("__data_loc");
        }

        boolean charArray() {
            return type.contains("char") && name.contains("[");
        }

        boolean pointer() {
            return type.contains("*");
        }
    }

    static final List<Path> ROOTS = List.of(Path.of("/sys/kernel/tracing/events"), Path.of("/sys/kernel/debug/tracing/events"));
    private static final Pattern FIELD = Pattern.compile(
            "\\s*field:(.*?);\\s*offset:(\\d+);\\s*size:(\\d+);\\s*signed:(\\d+);.*");

    /** Reads the running kernel's format of {@code category:name}. */
    public static TracepointFormat load(String category, String name) {
        for (Path root : ROOTS) {
            Path f = root.resolve(category).resolve(name).resolve("format");
            try {
                return parse(category, name, Files.readString(f));
            } catch (NoSuchFileException e) {
                // next root
            } catch (IOException e) {
                throw new BpfException("tracepoint " + category + ":" + name + ": read " + f + ": " + e.getMessage());
            }
        }
        throw new BpfException("tracepoint " + category + ":" + name + ": no such event in tracefs (" + ROOTS.getFirst() + "/" + category + "/" + name + ")");
    }

    /** From the text of a format file. */
    public static TracepointFormat parse(String category, String name, String text) {
        List<Field> fields = new ArrayList<>();
        int end = 0;
        for (String line : text.split("\n")) {
            Matcher m = FIELD.matcher(line);
            if (!m.matches()) continue;
            String decl = m.group(1).strip();
            int off = Integer.parseInt(m.group(2)), size = Integer.parseInt(m.group(3));
            end = Math.max(end, off + size);
            int sp = decl.lastIndexOf(' ');
            String type = sp < 0 ? "" : decl.substring(0, sp).strip();
            String fname = sp < 0 ? decl : decl.substring(sp + 1);
            if (fname.startsWith("*")) {
                type = type + " *";
                fname = fname.substring(1);
            }
            if (fname.startsWith("common_")) continue;
            fields.add(new Field(type, fname, off, size, m.group(4).equals("1")));
        }
        return new TracepointFormat(category, name, List.copyOf(fields), end);
    }

    /** Each field as {@code name=value} ({@code name = value} verbose) from a record at {@code off} in {@code b}. */
    List<String> format(byte[] b, int off, int end, boolean verbose) {
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            TextBuffer sb = new TextBuffer(64).append(f.name().replaceAll("\\[.*", "")).append(verbose ? " = " : "=");
            int at = off + f.offset();
            if (at + f.size() > end) {
                out.add(sb.append(BtfValueFormat.ELLIPSIS).toString());
                continue;
            }
            if (f.dataLoc()) {
                long loc = BtfValueFormat.le(b, at, 4, end);
                int o = off + (int) (loc & 0xffff), n = (int) (loc >>> 16);
                if (f.type().contains("char")) {
                    int len = 0;
                    while (len < n && o + len < end && b[o + len] != 0) len++;
                    sb.append('\'');
                    BtfValueFormat.escape(new String(b, o, Math.max(0, len), StandardCharsets.UTF_8), sb);
                    sb.append('\'');
                    if (o + n > end) sb.append(BtfValueFormat.ELLIPSIS);
                } else {
                    sb.append('[').append(n).append(" bytes]");
                }
            } else if (f.charArray()) {
                int len = 0;
                while (len < f.size() && b[at + len] != 0) len++;
                sb.append('\'');
                BtfValueFormat.escape(new String(b, at, len, StandardCharsets.UTF_8), sb);
                sb.append('\'');
            } else if (f.pointer()) {
                BtfValueFormat.appendPointer(sb, BtfValueFormat.le(b, at, Math.min(8, f.size()), end));
            } else if (f.size() <= 8) {
                BtfValueFormat.appendInteger(sb, BtfValueFormat.le(b, at, f.size(), end), f.signed(), f.size());
            } else {
                sb.append('[').append(f.size()).append(" bytes]");
            }
            out.add(sb.toString());
        }
        return out;
    }
}
