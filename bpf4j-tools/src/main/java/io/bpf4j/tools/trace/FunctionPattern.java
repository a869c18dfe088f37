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

    /**
     * Patterns from one command-line value: {@code @file} reads one pattern per line (blank
     * lines and {@code #} comments skipped), anything else is one pattern.
     */
    public static List<FunctionPattern> expand(String arg, String origin) {
        if (!arg.startsWith("@")) return List.of(parse(arg, origin));
        Path p = Path.of(arg.substring(1));
        List<String> lines;
        try {
            lines = Files.readAllLines(p);
        } catch (IOException e) {
            throw new BpfException("read function patterns from " + p + ": " + e.getMessage());
        }
        List<FunctionPattern> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            out.add(parse(l, "@" + p + ":" + (i + 1)));
        }
        return out;
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
