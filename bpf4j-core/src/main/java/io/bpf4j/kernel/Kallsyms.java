package io.bpf4j.kernel;

import io.bpf4j.BpfException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /proc/kallsyms}: kernel symbols with addresses, for symbolizing stacks and finding
 * BPF programs' JIT images ({@code bpf_prog_<tag>_<name>} in module {@code [bpf]}). Addresses
 * read as 0 when kptr_restrict hides them; {@link #addressesVisible()} tells.
 */
public final class Kallsyms {
    /** One symbol. {@code module} is null for the core kernel. */
    public record Symbol(long address, char type, String name, String module) {
        public boolean isFunction() {
            return type == 't' || type == 'T';
        }
    }

    /** A JITed BPF program's symbol, split into its parts. */
    public record BpfProgSymbol(long address, String tag, String name) {}

    private static final Pattern BPF_PROG = Pattern.compile("bpf_prog_([0-9a-f]{16})(?:_(.*))?");

    private final Symbol[] byAddress;
    private final Map<String, List<Symbol>> byName = new HashMap<>();

    private Kallsyms(List<Symbol> symbols) {
        this.byAddress = symbols.toArray(new Symbol[0]);
        Arrays.sort(byAddress, (a, b) -> Long.compareUnsigned(a.address(), b.address()));
        for (Symbol s : byAddress) byName.computeIfAbsent(s.name(), k -> new ArrayList<>(1)).add(s);
    }

    public static Kallsyms load() {
        return load(Path.of("/proc/kallsyms"));
    }

    public static Kallsyms load(Path path) {
        try {
            return parse(Files.readString(path, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new BpfException("read " + path + ": " + e.getMessage());
        }
    }

    /** Parses {@code ffffffff81000000 T _text} and {@code ... t name\t[module]} lines. */
    public static Kallsyms parse(String text) {
        return parse((CharSequence) text);
    }

    /**
     * The same, over any character sequence. Each line is scanned by itself and no search runs
     * past its end: an unbounded search for the module's tab, from each core symbol to the first
     * module symbol near the end of the file, made parsing quadratic (17 s for 120k symbols on the
     * host, many minutes under TCG). So every character is read a bounded number of times.
     */
    public static Kallsyms parse(CharSequence text) {
        List<Symbol> out = new ArrayList<>(200_000);
        int i = 0, n = text.length();
        while (i < n) {
            int eol = find(text, '\n', i, n);
            Symbol sym = line(text, i, eol);
            if (sym != null) out.add(sym);
            i = eol + 1;
        }
        return new Kallsyms(out);
    }

    /** The first {@code c} in [from, to), or {@code to}. */
    private static int find(CharSequence t, char c, int from, int to) {
        for (int k = from; k < to; k++) if (t.charAt(k) == c) return k;
        return to;
    }

    /** {@code ADDR TYPE NAME[\t[MODULE]]} in [start, eol); null for anything else. */
    private static Symbol line(CharSequence t, int start, int eol) {
        int sp = find(t, ' ', start, eol);
        if (sp == start || sp + 3 >= eol || sp - start > 16) return null;
        long addr = 0;
        for (int k = start; k < sp; k++) {
            int d = Character.digit(t.charAt(k), 16);
            if (d < 0) return null;
            addr = addr << 4 | d;
        }
        char type = t.charAt(sp + 1);
        int nameStart = sp + 3;
        int tab = find(t, '\t', nameStart, eol);
        if (tab == nameStart) return null; // no name: kallsyms has none, and it could not be printed back
        String name = t.subSequence(nameStart, tab).toString();
        String module = null;
        if (tab < eol) {
            int lb = find(t, '[', tab, eol), rb = lb < eol ? find(t, ']', lb, eol) : eol;
            if (rb < eol) module = t.subSequence(lb + 1, rb).toString();
        }
        return new Symbol(addr, type, name, module);
    }

    public int size() {
        return byAddress.length;
    }

    /** False when every address reads as 0 (kptr_restrict, or not root). */
    public boolean addressesVisible() {
        return byAddress.length > 0 && byAddress[byAddress.length - 1].address() != 0;
    }

    public List<Symbol> byName(String name) {
        return byName.getOrDefault(name, List.of());
    }

    public Optional<Symbol> first(String name) {
        List<Symbol> l = byName(name);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** All symbols, in address order. */
    public List<Symbol> symbols() {
        return Arrays.asList(byAddress);
    }

    /** The symbol containing {@code addr}: the last one at or below it. */
    public Optional<Symbol> symbolize(long addr) {
        int lo = 0, hi = byAddress.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(byAddress[mid].address(), addr) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(byAddress[found]);
    }

    /** Splits {@code bpf_prog_<16 hex>_<name>}; empty for other names. */
    public static Optional<BpfProgSymbol> parseBpfProg(Symbol s) {
        Matcher m = BPF_PROG.matcher(s.name());
        if (!m.matches()) return Optional.empty();
        return Optional.of(new BpfProgSymbol(s.address(), m.group(1), m.group(2) == null ? "" : m.group(2)));
    }

    /** The JITed BPF program symbol at exactly {@code addr}, if any. */
    public Optional<BpfProgSymbol> bpfProgAt(long addr) {
        return symbolize(addr).filter(s -> s.address() == addr).flatMap(Kallsyms::parseBpfProg);
    }

    /** Every {@code bpf_prog_*} symbol. */
    public List<BpfProgSymbol> bpfProgs() {
        List<BpfProgSymbol> out = new ArrayList<>();
        for (Symbol s : byAddress) if ("bpf".equals(s.module())) parseBpfProg(s).ifPresent(out::add);
        return out;
    }
}
