package io.bpf4j.cli.check;

import io.bpf4j.tools.check.Finding;
import io.bpf4j.explain.KernelChange;
import io.bpf4j.tools.check.TailcallCheck;
import io.bpf4j.tools.check.TailcallIssue;
import io.bpf4j.tools.check.TailcallReport;
import io.bpf4j.tools.check.Verdict;
import io.bpf4j.internal.json.Json;
import io.bpf4j.cli.support.Capabilities;
import io.bpf4j.cli.support.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code bpf4j check tailcall}: the tail-call and freplace issues, one row each. */
@Command(name = "tailcall", mixinStandardHelpOptions = true,
        description = {"Detect the known tail-call and freplace kernel issues on the running kernel. It loads small XDP",
                "and fentry programs and updates prog arrays: no traffic, no kprobes, nothing is run.",
                "Each issue is present, fixed, not applicable, could not run (a program type this kernel refuses,",
                "or a probe that could crash it) or inconclusive, with the errno or fdinfo owner observed and",
                "the fixing commit. Verdicts never come from the kernel version.",
                "",
                "Exit status: 0 when the report was produced, whatever the verdicts; 1 when a verdict listed",
                "in --fail-on occurred; 2 for a usage error."})
public final class TailcallCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print one JSON document instead of the table.")
    boolean json;

    @Option(names = "--only", paramLabel = "ISSUE[,ISSUE...]",
            description = "Check only these issues (${COMPLETION-CANDIDATES}).", completionCandidates = IssueKeys.class)
    List<String> only;

    @Option(names = "--fail-on", paramLabel = "VERDICT[,VERDICT...]",
            description = "Exit 1 if any issue gets one of these verdicts: present, could-not-run, inconclusive, "
                    + "not-applicable, fixed. Default: none.")
    List<String> failOn;

    /** The issue keys, for --only's help and completion. */
    static final class IssueKeys extends ArrayList<String> {
        IssueKeys() {
            for (TailcallIssue i : TailcallIssue.values()) add(i.key());
        }
    }

    @Override
    public Integer call() {
        Set<Verdict> fail = parseVerdicts(failOn);
        Set<TailcallIssue> issues = parseIssues(only);
        // XDP and tc programs need CAP_NET_ADMIN, fentry and freplace CAP_PERFMON.
        Capabilities.self().requireBpf(Capabilities.CAP_NET_ADMIN, Capabilities.CAP_PERFMON);
        TailcallReport r = TailcallCheck.run(issues);
        System.out.print(json ? Json.write(json(r)) + "\n" : table(r));
        return r.findings().stream().anyMatch(f -> fail.contains(f.verdict())) ? 1 : 0;
    }

    /** The issues --only names (all of them without --only); a usage error for an unknown or empty name. */
    static Set<TailcallIssue> parseIssues(List<String> values) {
        Set<TailcallIssue> out = EnumSet.noneOf(TailcallIssue.class);
        if (values == null) return EnumSet.allOf(TailcallIssue.class);
        for (String k : names("--only", "issue", values)) {
            try {
                out.add(TailcallIssue.byKey(k));
            } catch (io.bpf4j.BpfException e) {
                throw new UsageException("--only: " + e.getMessage());
            }
        }
        return out;
    }

    static Set<Verdict> parseVerdicts(List<String> values) {
        Set<Verdict> out = EnumSet.noneOf(Verdict.class);
        if (values == null) return out;
        for (String n : names("--fail-on", "verdict", values)) {
            String k = n.replace('-', ' ');
            Verdict v = null;
            for (Verdict x : Verdict.values()) if (x.label().equals(k)) v = x;
            if (v == null) throw new UsageException("--fail-on: unknown verdict '" + n
                    + "' (present, fixed, not-applicable, could-not-run, inconclusive)");
            out.add(v);
        }
        return out;
    }

    /** The comma-separated names of a repeatable option; an empty one ({@code --only ,,}) is a usage error. */
    static List<String> names(String option, String what, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String n : v.split(",", -1)) {
                if (n.isBlank()) throw new UsageException(option + ": empty " + what + " name in '" + v + "'");
                out.add(n.strip());
            }
        }
        return out;
    }

    /** The aligned table, a legend of the fixing commits, and a one-line summary last. */
    static String table(TailcallReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("kernel ").append(r.release())
                .append(", bpf_jit_enable ").append(r.jitEnabled() == null ? "unknown" : r.jitEnabled()).append("\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ISSUE", "VERDICT", "FIX", "EVIDENCE"});
        Set<KernelChange> legend = new LinkedHashSet<>();
        for (Finding f : r.findings()) {
            List<String> ids = new ArrayList<>();
            for (KernelChange c : f.fixes()) {
                ids.add(c.shortId());
                legend.add(c);
            }
            rows.add(new String[] {f.issue().key(), f.verdict().label(), String.join(",", ids), f.evidence()});
        }
        int[] w = new int[3];
        for (String[] row : rows) for (int i = 0; i < 3; i++) w[i] = Math.max(w[i], row[i].length());
        for (String[] row : rows)
            sb.append(String.format("%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %s%n", row[0], row[1], row[2], row[3]));
        if (!legend.isEmpty()) {
            sb.append("\nfixes:\n");
            for (KernelChange c : legend)
                sb.append("  ").append(c.shortId()).append("  ").append(c.title()).append(" (").append(c.versions()).append(")\n");
        }
        sb.append('\n').append(summary(r)).append('\n');
        return sb.toString();
    }

    /** {@code tailcall: 2 present, 3 fixed} — the last line, which bpf4j matrix shows per kernel. */
    static String summary(TailcallReport r) {
        List<String> parts = new ArrayList<>();
        for (Verdict v : Verdict.values()) {
            long n = r.count(v);
            if (n > 0) parts.add(n + " " + v.label());
        }
        List<String> present = r.findings().stream().filter(f -> f.verdict() == Verdict.PRESENT).map(f -> f.issue().key()).toList();
        return "tailcall: " + (parts.isEmpty() ? "no checks" : String.join(", ", parts))
                + (present.isEmpty() ? "" : " (present: " + String.join(", ", present) + ")");
    }

    static Map<String, Object> json(TailcallReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kernel", r.release());
        m.put("bpf_jit_enable", r.jitEnabled());
        List<Object> checks = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("issue", f.issue().key());
            c.put("title", f.issue().title());
            c.put("verdict", f.verdict().label());
            c.put("evidence", f.evidence());
            List<Object> fixes = new ArrayList<>();
            for (KernelChange k : f.fixes()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("commit", k.commit());
                x.put("title", k.title());
                x.put("first_release", k.firstRelease());
                x.put("stable", k.stable());
                x.put("symptom", k.symptom());
                fixes.add(x);
            }
            c.put("fixes", fixes);
            checks.add(c);
        }
        m.put("checks", checks);
        Map<String, Object> counts = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) counts.put(v.label(), r.count(v));
        m.put("summary", counts);
        return m;
    }
}
