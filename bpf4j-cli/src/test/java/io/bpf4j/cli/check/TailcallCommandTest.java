package io.bpf4j.cli.check;

import io.bpf4j.tools.check.Finding;
import io.bpf4j.tools.check.TailcallIssue;
import io.bpf4j.tools.check.TailcallReport;
import io.bpf4j.tools.check.Verdict;
import io.bpf4j.cli.CliRun;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bpf4j.internal.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TailcallCommandTest {
    static final TailcallReport REPORT = new TailcallReport("5.10.0-32-amd64", 1, List.of(
            new Finding(TailcallIssue.INVALID_TAILCALLEE, Verdict.PRESENT,
                    "EXT caller loaded, owner_prog_type 28 (EXT); update XDP callee -> EINVAL"),
            new Finding(TailcallIssue.ATTACHED_FREPLACE_UPDATE, Verdict.COULD_NOT_RUN,
                    "this kernel refuses BPF_PROG_TYPE_EXT (EPERM)")));

    @Test
    void tableColumnsAlignAndTheSummaryIsTheLastLine() {
        String t = TailcallCommand.table(REPORT);
        List<String> lines = t.lines().toList();
        assertEquals("kernel 5.10.0-32-amd64, bpf_jit_enable 1", lines.getFirst());
        List<String> rows = lines.stream().filter(l -> l.startsWith("ISSUE") || l.startsWith("invalid-") || l.startsWith("attached-")).toList();
        assertEquals(3, rows.size());
        int verdictCol = rows.getFirst().indexOf("VERDICT"), fixCol = rows.getFirst().indexOf("FIX"), evCol = rows.getFirst().indexOf("EVIDENCE");
        assertEquals(verdictCol, rows.get(1).indexOf("present"));
        assertEquals(verdictCol, rows.get(2).indexOf("could not run"));
        assertEquals(fixCol, rows.get(1).indexOf("1c123c567fb1"));
        assertEquals(fixCol, rows.get(2).indexOf("f7866c358733,fdad456cbcca"));
        assertEquals(evCol, rows.get(2).indexOf("this kernel refuses"));
        assertTrue(t.contains("  1c123c567fb1  bpf: Resolve fext program type when checking map compatibility (v6.2, 6.1.4+, 6.0.y)\n"), t);
        assertEquals("tailcall: 1 present, 1 could not run (present: invalid-tailcallee)", lines.getLast());
    }

    @Test
    void jsonCarriesVerdictEvidenceAndFullCommits() {
        JsonObject j = JsonParser.parseString(Json.write(TailcallCommand.json(REPORT))).getAsJsonObject();
        assertEquals(List.of("kernel", "bpf_jit_enable", "checks", "summary"), List.copyOf(j.keySet()));
        assertEquals("5.10.0-32-amd64", j.get("kernel").getAsString());
        assertEquals(1, j.get("bpf_jit_enable").getAsInt());
        JsonObject first = j.getAsJsonArray("checks").get(0).getAsJsonObject();
        assertEquals("invalid-tailcallee", first.get("issue").getAsString());
        assertEquals("present", first.get("verdict").getAsString());
        assertEquals("EXT caller loaded, owner_prog_type 28 (EXT); update XDP callee -> EINVAL", first.get("evidence").getAsString());
        JsonObject fix = first.getAsJsonArray("fixes").get(0).getAsJsonObject();
        assertEquals("1c123c567fb138ebd187480b7fc0610fcb0851f5", fix.get("commit").getAsString());
        assertEquals("[\"6.1.4\",\"6.0.y\"]", fix.get("stable").toString());
        JsonObject summary = j.getAsJsonObject("summary");
        assertEquals(List.of("present", "fixed", "not applicable", "could not run", "inconclusive"), List.copyOf(summary.keySet()));
        assertEquals(1, summary.get("present").getAsInt());
        assertEquals(1, summary.get("could not run").getAsInt());
        assertEquals(0, summary.get("fixed").getAsInt());
    }

    @Test
    void exitIsZeroByDefaultAndOneWhenAVerdictNamedInFailOnOccurs() {
        CliRun plain = CliRun.of("check", "tailcall", "--only", "tailcall-attach-type");
        assertEquals(0, plain.exit(), plain.err());
        assertTrue(plain.out().contains("tailcall-attach-type"), plain.out());
        CliRun any = CliRun.of("check", "tailcall", "--only", "tailcall-attach-type",
                "--fail-on", "present,fixed,not-applicable,could-not-run,inconclusive");
        assertEquals(1, any.exit(), "every verdict is listed, so whichever occurred fails the run");
    }

    @Test
    void unknownVerdictsAndIssuesAreOneLineErrors() {
        CliRun badVerdict = CliRun.of("check", "tailcall", "--fail-on", "broken");
        assertEquals(2, badVerdict.exit());
        assertTrue(badVerdict.err().contains("--fail-on: unknown verdict 'broken'"), badVerdict.err());
        CliRun badIssue = CliRun.of("check", "tailcall", "--only", "nope");
        assertEquals(2, badIssue.exit(), "a usage error, as --fail-on's is");
        assertEquals("bpf4j check tailcall: --only: unknown tail-call issue 'nope' (known: invalid-tailcallee, freplace-tailcallee, "
                + "attached-freplace-update, cross-hook-tailcall, tailcall-attach-type, tailcall-hierarchy)", badIssue.err().strip());
    }

    @Test
    void jsonOptionPrintsOneDocumentWithOneCheckPerRequestedIssue() {
        CliRun r = CliRun.of("check", "tailcall", "--json", "--only", "tailcall-attach-type,invalid-tailcallee");
        assertEquals(0, r.exit(), r.err());
        String out = r.out().strip();
        assertFalse(out.contains("\n"), "one line");
        JsonObject j = JsonParser.parseString(out).getAsJsonObject();
        List<String> issues = new java.util.ArrayList<>();
        for (var c : j.getAsJsonArray("checks")) issues.add(c.getAsJsonObject().get("issue").getAsString());
        assertEquals(2, issues.size(), out);
        assertTrue(issues.containsAll(List.of("tailcall-attach-type", "invalid-tailcallee")), out);
    }
}
