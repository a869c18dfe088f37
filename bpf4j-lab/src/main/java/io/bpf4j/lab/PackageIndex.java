package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One suite's Debian {@code Packages} index (deb822 stanzas), reduced to what finding a kernel
 * needs: name, version, dependencies, file name and checksum. apt has already verified the
 * index against the suite's signed InRelease, so its SHA256 fields are trustworthy.
 */
public final class PackageIndex {

    /** One stanza. {@code depends} holds each comma-separated relation's alternatives' names. */
    public record Entry(String name, String version, List<List<String>> depends, String filename,
                        String sha256, long size, long installedSizeKiB) {
        /** The names this package depends on, first alternative of each relation. */
        public List<String> dependencyNames() {
            return depends.stream().map(List::getFirst).toList();
        }
    }

    private final String suite;
    private final Map<String, List<Entry>> byName;

    private PackageIndex(String suite, Map<String, List<Entry>> byName) {
        this.suite = suite;
        this.byName = byName;
    }

    public String suite() {
        return suite;
    }

    /**
     * Parses a Packages file, keeping only stanzas whose package name {@code keep} accepts (a
     * full index has 60,000 packages; the kernel lab needs the few hundred {@code linux-*}).
     */
    public static PackageIndex parse(String suite, Reader in, Predicate<String> keep) throws IOException {
        Map<String, List<Entry>> map = new HashMap<>();
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        boolean skipping = false;
        int lineNo = 0;
        for (String line; ; ) {
            line = r.readLine();
            lineNo++;
            if (line == null || line.isEmpty()) {
                if (!fields.isEmpty() && !skipping) add(map, fields, suite, lineNo);
                fields.clear();
                last = null;
                skipping = false;
                if (line == null) break;
                continue;
            }
            if (skipping) continue;
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (last == null) throw new BpfFormatException("Packages " + suite + ":" + lineNo + ": continuation line before any field");
                fields.merge(last, "\n" + line.strip(), String::concat);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) throw new BpfFormatException("Packages " + suite + ":" + lineNo + ": not a 'Field: value' line: " + abbreviate(line));
            last = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (last.equals("Package") && !keep.test(value)) {
                skipping = true;
                continue;
            }
            fields.put(last, value);
        }
        return new PackageIndex(suite, map);
    }

    public static PackageIndex read(String suite, Path file, Predicate<String> keep) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(suite, r, keep);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void add(Map<String, List<Entry>> map, Map<String, String> f, String suite, int lineNo) {
        String name = f.get("Package");
        String version = f.get("Version");
        if (name == null || version == null) {
            throw new BpfFormatException("Packages " + suite + ": stanza ending at line " + lineNo + " lacks Package or Version");
        }
        DebianVersion.parse(version); // reject garbage early, with the index's name in the message
        Entry e = new Entry(name, version, relations(f.getOrDefault("Pre-Depends", ""), f.getOrDefault("Depends", "")),
                f.getOrDefault("Filename", ""), f.getOrDefault("SHA256", ""),
                number(f.get("Size"), suite, name), number(f.get("Installed-Size"), suite, name));
        map.computeIfAbsent(name, k -> new ArrayList<>()).add(e);
    }

    private static long number(String s, String suite, String pkg) {
        if (s == null) return 0;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BpfFormatException("Packages " + suite + ": " + Escape.text(pkg) + ": not a number: " + abbreviate(s));
        }
    }

    /** "a (>= 1) | b, c:any" becomes [[a, b], [c]]: version constraints and arch qualifiers dropped. */
    static List<List<String>> relations(String... fields) {
        List<List<String>> out = new ArrayList<>();
        for (String field : fields) {
            if (field.isBlank()) continue;
            for (String rel : field.split(",")) {
                List<String> alts = new ArrayList<>();
                for (String alt : rel.split("\\|")) {
                    String n = alt.strip();
                    // The name ends at a version, architecture or profile restriction, an
                    // arch qualifier, or any blank: a folded field keeps its line breaks.
                    int cut = 0;
                    while (cut < n.length() && "([<:".indexOf(n.charAt(cut)) < 0 && !Character.isWhitespace(n.charAt(cut))) cut++;
                    n = n.substring(0, cut);
                    if (!n.isEmpty()) alts.add(n);
                }
                if (!alts.isEmpty()) out.add(List.copyOf(alts));
            }
        }
        return List.copyOf(out);
    }

    /** All versions of a package in this index (usually one). */
    public List<Entry> all(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** The highest version of a package in this index. */
    public Optional<Entry> newest(String name) {
        return all(name).stream().max((a, b) -> DebianVersion.ORDER.compare(a.version(), b.version()));
    }

    public Optional<Entry> find(String name, String version) {
        return all(name).stream().filter(e -> e.version().equals(version)).findFirst();
    }

    /** The package names in this index, for tests. */
    java.util.Set<String> names() {
        return byName.keySet();
    }

    public int size() {
        return byName.values().stream().mapToInt(List::size).sum();
    }

    private static String abbreviate(String s) {
        return Escape.text(s.length() > 60 ? s.substring(0, 60) + "..." : s);
    }
}
