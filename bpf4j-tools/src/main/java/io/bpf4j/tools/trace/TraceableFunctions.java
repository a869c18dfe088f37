package io.bpf4j.tools.trace;

import io.bpf4j.kernel.Kallsyms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The functions {@code bpf4j trace} may attach to: kallsyms function symbols that ftrace also
 * lists in {@code available_filter_functions} (the kernel's own list of functions a kprobe or
 * fentry can hook without a breakpoint in the middle of anything). When that file cannot be read
 * (no tracefs, as on some locked-down hosts), the kallsyms functions alone are used, minus the
 * symbols that are never functions one can trace; {@link #note()} says so.
 *
 * <p>A name kallsyms lists more than once (two static functions with one name) is kept once per
 * address: a kprobe by name would refuse it, the tracer attaches those by address or skips them
 * with a reason.
 */
public final class TraceableFunctions {
    static final List<Path> FILTER_FILES = List.of(
            Path.of("/sys/kernel/tracing/available_filter_functions"),
            Path.of("/sys/kernel/debug/tracing/available_filter_functions"));

    private final List<KernelFunction> functions;
    private final Map<String, Integer> nameCounts = new HashMap<>();
    private final String note;
    private final boolean filtered;

    private TraceableFunctions(List<KernelFunction> functions, String note, boolean filtered) {
        this.functions = Collections.unmodifiableList(functions);
        for (KernelFunction f : functions) nameCounts.merge(f.name(), 1, Integer::sum);
        this.note = note;
        this.filtered = filtered;
    }

    /** The running kernel's. */
    public static TraceableFunctions load() {
        Kallsyms ks = Kallsyms.load();
        String why = null;
        for (Path p : FILTER_FILES) {
            try {
                return of(ks, Files.readString(p));
            } catch (java.nio.file.NoSuchFileException e) {
                if (why == null) why = p + ": no such file (tracefs not mounted or not built in)";
            } catch (IOException | SecurityException e) {
                if (why == null) why = p + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        return of(ks, null, "cannot read available_filter_functions (" + why + "); matching kallsyms functions only,"
                + " so some matches may refuse to attach (they are skipped with the reason)");
    }

    /** From kallsyms and the text of available_filter_functions (null if unavailable). */
    public static TraceableFunctions of(Kallsyms ks, String filterFunctions) {
        return of(ks, filterFunctions, filterFunctions == null ? "available_filter_functions not given: kallsyms functions only" : null);
    }

    static TraceableFunctions of(Kallsyms ks, String filterFunctions, String note) {
        Set<String> allowed = null;
        if (filterFunctions != null) {
            allowed = new HashSet<>(80_000);
            for (String line : filterFunctions.split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                // "name", "name [module]"; 6.5+ may add an address column in _addrs, not here.
                int sp = l.indexOf(' ');
                String name = sp < 0 ? l : l.substring(0, sp);
                String mod = null;
                int lb = l.indexOf('['), rb = l.indexOf(']');
                if (lb > 0 && rb > lb) mod = l.substring(lb + 1, rb);
                allowed.add(key(name, mod));
            }
        }
        List<KernelFunction> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Kallsyms.Symbol s : ks.symbols()) {
            if (!s.isFunction() || s.address() == 0 && ks.addressesVisible()) continue;
            if ("bpf".equals(s.module()) || "__builtin__ftrace".equals(s.module())) continue;
            if (allowed != null ? !allowed.contains(key(s.name(), s.module())) : !plausible(s.name())) continue;
            if (!seen.add(s.name() + "@" + Long.toHexString(s.address()))) continue;
            out.add(new KernelFunction(s.name(), s.module(), s.address()));
        }
        return new TraceableFunctions(out, note, allowed != null);
    }

    private static String key(String name, String module) {
        return module == null ? name : name + " [" + module + "]";
    }

    /** Without ftrace's list: drop what is never a traceable function body. */
    static boolean plausible(String name) {
        return !(name.startsWith("__pfx_") || name.startsWith("__cfi_") || name.contains(".cold")
                || name.startsWith("__x86_indirect_") || name.startsWith("__SCT__") || name.startsWith("__bpf_trace_")
                || name.startsWith("_text") || name.startsWith("_stext") || name.startsWith("_etext")
                || name.startsWith("__entry_text") || name.startsWith("__irqentry_text") || name.startsWith("__softirqentry_text"));
    }

    public List<KernelFunction> functions() {
        return functions;
    }

    /** How many traceable functions share this name. */
    public int count(String name) {
        return nameCounts.getOrDefault(name, 0);
    }

    /** True when the list came from ftrace's available_filter_functions. */
    public boolean fromFtrace() {
        return filtered;
    }

    /** Why the list is only approximate, or null. */
    public String note() {
        return note;
    }
}
