package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One function pattern of {@code -e/-a/-d}: a name glob and an optional module glob, written
 * {@code 'func-glob [module-glob]'}. Without a module part it matches functions of the kernel and
 * of every module, as retsnoop does.
 *
 * @param module null for "any module or the kernel"
 * @param origin where it came from ({@code -a}, {@code @file:3}, {@code -c bpf}), for --dry-run
 */
public record FunctionPattern(Glob name, Glob module, String origin) {

    /** Parses {@code func}, {@code 'func [mod]'}; {@code @file} is expanded by {@link #expand}. */
    public static FunctionPattern parse(String text, String origin) {
        String t = text.strip();
        Glob mod = null;
        int open = t.indexOf('[');
        if (open >= 0) {
            int close = t.indexOf(']', open);
            if (close < 0 || !t.substring(close + 1).isBlank())
                throw new BpfFormatException("function pattern '" + text + "': module part must be '[module-glob]' at the end");
            mod = Glob.of(t.substring(open + 1, close).strip());
            t = t.substring(0, open).strip();
        }
        if (t.isEmpty()) throw new BpfFormatException("function pattern '" + text + "': no function name");
        return new FunctionPattern(Glob.of(t), mod, origin);
    }

    /** The largest pattern file read: far more than a list of kernel functions takes. */
    static final long MAX_FILE_BYTES = 1 << 20;

    /**
     * Patterns from one command-line value: {@code @file} reads one pattern per line (blank
     * lines and {@code #} comments skipped), anything else is one pattern. A file's patterns are
     * named by file and line ({@code @file:3}) in every message, never by their text: what a
     * file holds is not repeated on the terminal (a mistyped {@code @/etc/shadow} included).
     */
    public static List<FunctionPattern> expand(String arg, String origin) {
        if (!arg.startsWith("@")) return List.of(parse(arg, origin));
        Path p = Path.of(arg.substring(1));
        List<FunctionPattern> out = new ArrayList<>();
        List<String> lines = readLines(p, origin);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String where = "@" + p + ":" + (i + 1);
            try {
                out.add(parse(l, where));
            } catch (BpfFormatException e) {
                throw new BpfFormatException(origin + ": line " + (i + 1) + " is not a function pattern ('func-glob [module-glob]')");
            }
        }
        return out;
    }

    /** A pattern file's lines; a one-line BpfException that says why it cannot be read. */
    private static List<String> readLines(Path p, String origin) {
        try {
            if (!Files.exists(p)) throw new BpfException(origin + ": no such file");
            if (Files.isDirectory(p)) throw new BpfException(origin + ": is a directory");
            // A device or a pipe (@/dev/zero) would be read forever.
            if (!Files.isRegularFile(p)) throw new BpfException(origin + ": not a regular file");
            if (Files.size(p) > MAX_FILE_BYTES) throw new BpfException(origin + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB, not a list of function patterns");
            return Files.readAllLines(p, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new BpfException(origin + ": permission denied");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BpfException(origin + ": not a text file (not UTF-8)");
        } catch (IOException e) {
            throw new BpfException(origin + ": " + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.toString()));
        }
    }

    /** How messages name this pattern: its text in quotes, or for a line of a file, {@code @file:line}. */
    public String label() {
        return origin.startsWith("@") ? origin : "'" + this + "'";
    }

    /**
     * True if it matches {@code fn}. A pattern without a '.' also matches the compiler's clones
     * of a matching function ({@code name.isra.0}, {@code .part.N}, {@code .constprop.N}): they
     * are the same source function, and retsnoop silently missing them was a lesson of the
     * blog's trace (bpf_map_update_value.isra.0 on 5.10).
     */
    public boolean matches(KernelFunction fn) {
        if (module != null && (fn.module() == null || !module.matches(fn.module()))) return false;
        if (name.matches(fn.name())) return true;
        return name.text().indexOf('.') < 0 && fn.isClone() && name.matches(fn.baseName());
    }

    @Override
    public String toString() {
        return module == null ? name.text() : name.text() + " [" + module.text() + "]";
    }
}
