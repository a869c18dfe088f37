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

    public static DebianVersion parse(String v) {
        if (v == null || v.isBlank() || v.chars().anyMatch(Character::isWhitespace)) {
            throw new BpfFormatException("Debian version: not a version: '" + Escape.text(v) + "'");
        }
        long epoch = 0;
        int colon = v.indexOf(':');
        if (colon >= 0) {
            try {
                epoch = Long.parseLong(v.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new BpfFormatException("Debian version: bad epoch in '" + Escape.text(v) + "'");
            }
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        String up = dash >= 0 ? v.substring(0, dash) : v;
        String rev = dash >= 0 ? v.substring(dash + 1) : "";
        if (up.isEmpty()) throw new BpfFormatException("Debian version: empty upstream part in '" + Escape.text(v) + "'");
        return new DebianVersion(epoch, up, rev);
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
            while ((i < a.length() && !Character.isDigit(a.charAt(i)))
                    || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) return Integer.compare(ac, bc);
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') i++;
            while (j < b.length() && b.charAt(j) == '0') j++;
            while (i < a.length() && Character.isDigit(a.charAt(i))
                    && j < b.length() && Character.isDigit(b.charAt(j))) {
                if (firstDiff == 0) firstDiff = a.charAt(i) - b.charAt(j);
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) return 1;
            if (j < b.length() && Character.isDigit(b.charAt(j))) return -1;
            if (firstDiff != 0) return Integer.signum(firstDiff);
        }
        return 0;
    }

    private static int order(char c) {
        if (Character.isDigit(c)) return 0;
        if (Character.isLetter(c)) return c;
        if (c == '~') return -1;
        return c + 256;
    }

    @Override
    public String toString() {
        return (epoch != 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
    }
}
