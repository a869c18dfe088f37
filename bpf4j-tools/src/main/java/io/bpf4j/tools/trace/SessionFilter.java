package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which finished sessions to report (retsnoop's -S, -x, -X, -L): failed ones by default, all
 * with {@code includeSuccess}; {@code allowErrors} keeps only sessions whose error chain has one
 * of these errors, {@code denyErrors} drops those that have any (and wins). Error names are
 * {@code EINVAL}, {@code -EINVAL}, {@code 22}, {@code NULL}, or {@code any}.
 */
public record SessionFilter(boolean includeSuccess, Set<String> allowErrors, Set<String> denyErrors, long minDurationNs) {
    public SessionFilter {
        allowErrors = normalize(allowErrors);
        denyErrors = normalize(denyErrors);
        if (includeSuccess && !allowErrors.isEmpty())
            throw new BpfException("-S (successful sessions too) contradicts -x (only sessions with these errors)");
    }

    public static SessionFilter errorsOnly() {
        return new SessionFilter(false, Set.of(), Set.of(), 0);
    }

    static Set<String> normalize(Set<String> in) {
        Set<String> out = new HashSet<>();
        for (String s : in) {
            for (String part : s.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) continue;
                String u = p.toUpperCase(Locale.ROOT);
                if (u.equals("ANY") || u.equals("NULL")) {
                    out.add(u);
                    continue;
                }
                int n = KernelErrors.byName(p);
                if (n < 0) throw new BpfException("unknown error name '" + p + "' (use names like EINVAL, -ENOMEM, NULL or any)");
                out.add(KernelErrors.name(n));
            }
        }
        return Set.copyOf(out);
    }

    public boolean test(Session s) {
        if (s.durationNs() < minDurationNs) return false;
        if (!s.failed()) return includeSuccess && allowErrors.isEmpty();
        List<Call> path = s.errorPath();
        for (Call c : path) {
            String e = c.errorName();
            if (e != null && (denyErrors.contains(e) || denyErrors.contains("ANY"))) return false;
        }
        if (allowErrors.isEmpty()) return true;
        for (Call c : path) {
            String e = c.errorName();
            if (e != null && (allowErrors.contains(e) || allowErrors.contains("ANY"))) return true;
        }
        return false;
    }
}
