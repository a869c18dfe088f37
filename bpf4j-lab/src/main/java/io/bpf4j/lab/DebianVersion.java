package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.util.Comparator;

/**
 * Debian package version ordering ({@code [epoch:]upstream[-revision]}, as dpkg compares
 * them), so "latest" and "the newest 6.1" can be chosen across suites: a bookworm-security
 * 6.1.192-2 beats bookworm's 6.1.176-1 and {@code 7.3.4-1~bpo13+1} beats {@code 7.2.13-1}.
 */
public record DebianVersion(long epoch, String upstream, String revision) implements Comparable<DebianVersion> {

    public static final Comparator<String> ORDER = Comparator.comparing(DebianVersion::parse);

    /**
     * Parses {@code [epoch:]upstream[-revision]} with dpkg's syntax: the epoch is a decimal
     * number, the upstream part starts with a digit and holds letters, digits and
     * {@code . + ~ - :} (a colon only after an epoch), the revision, if a dash introduces one, is
     * not empty and holds letters, digits and {@code . + ~}. Anything else is a format error.
     */
    public static DebianVersion parse(String v) {
        if (v == null || v.isEmpty()) throw new BpfFormatException("Debian version: empty");
        long epoch = 0;
        String rest = v;
        int colon = v.indexOf(':');
        if (colon >= 0) {
            String e = v.substring(0, colon);
            if (e.isEmpty() || e.length() > 9 || !e.chars().allMatch(c -> c >= '0' && c <= '9'))
                throw bad(v, "epoch is not a number");
            epoch = Long.parseLong(e);
            rest = v.substring(colon + 1);
        }
        int dash = rest.lastIndexOf('-');
        String up = dash >= 0 ? rest.substring(0, dash) : rest;
        String rev = dash >= 0 ? rest.substring(dash + 1) : "";
        if (up.isEmpty()) throw bad(v, "empty upstream part");
        if (!digit(up.charAt(0))) throw bad(v, "upstream part does not start with a digit");
        if (dash >= 0 && rev.isEmpty()) throw bad(v, "empty revision after '-'");
        for (int i = 0; i < up.length(); i++) {
            char c = up.charAt(i);
            if (!alnum(c) && ".+~-:".indexOf(c) < 0) throw bad(v, "character '" + Escape.text(String.valueOf(c)) + "' in upstream part");
        }
        for (int i = 0; i < rev.length(); i++) {
            char c = rev.charAt(i);
            if (!alnum(c) && ".+~".indexOf(c) < 0) throw bad(v, "character '" + Escape.text(String.valueOf(c)) + "' in revision");
        }
        return new DebianVersion(epoch, up, rev);
    }

    private static BpfFormatException bad(String v, String why) {
        return new BpfFormatException("Debian version '" + Escape.text(v) + "': " + why);
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean alnum(char c) {
        return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    @Override
    public int compareTo(DebianVersion o) {
        int c = Long.compare(epoch, o.epoch);
        if (c == 0) c = comparePart(upstream, o.upstream);
        if (c == 0) c = comparePart(revision, o.revision);
        return c;
    }

    /** dpkg's verrevcmp: alternating non-digit and digit runs; '~' sorts before everything. */
    static int comparePart(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !digit(a.charAt(i))) || (j < b.length() && !digit(b.charAt(j)))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) return Integer.compare(ac, bc);
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') i++;
            while (j < b.length() && b.charAt(j) == '0') j++;
            while (i < a.length() && digit(a.charAt(i)) && j < b.length() && digit(b.charAt(j))) {
                if (firstDiff == 0) firstDiff = a.charAt(i) - b.charAt(j);
                i++;
                j++;
            }
            if (i < a.length() && digit(a.charAt(i))) return 1;
            if (j < b.length() && digit(b.charAt(j))) return -1;
            if (firstDiff != 0) return Integer.signum(firstDiff);
        }
        return 0;
    }

    private static int order(char c) {
        if (digit(c)) return 0;
        if (alnum(c)) return c;
        if (c == '~') return -1;
        return c + 256;
    }

    @Override
    public String toString() {
        // An upstream part with a colon needs its epoch, even 0, or the colon would read as one.
        return (epoch != 0 || upstream.indexOf(':') >= 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
    }
}
