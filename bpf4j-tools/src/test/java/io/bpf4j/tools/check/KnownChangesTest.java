package io.bpf4j.tools.check;

import io.bpf4j.explain.KernelChange;
import io.bpf4j.explain.KnownChanges;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class KnownChangesTest {

    @Test
    void everyIssueNamesAtLeastOneFixThatIsInTheKnowledgeBase() {
        for (TailcallIssue i : TailcallIssue.values()) {
            assertFalse(i.fixes().isEmpty(), i.key());
            for (KernelChange c : i.fixes()) assertTrue(KnownChanges.ALL.contains(c), i.key() + " -> " + c);
        }
    }

    @Test
    void commitsAreUniqueAndFoundByTheirShortId() {
        Set<String> seen = new HashSet<>();
        for (KernelChange c : KnownChanges.ALL) {
            assertTrue(seen.add(c.shortId()), "duplicate " + c.shortId());
            assertEquals(12, c.shortId().length());
            assertSame(c, KnownChanges.byCommit(c.shortId()).orElseThrow());
            assertSame(c, KnownChanges.byCommit(c.shortId().substring(0, 7).toUpperCase()).orElseThrow());
        }
        assertTrue(KnownChanges.byCommit("1c123c").isEmpty(), "prefixes under 7 digits are ambiguous");
        assertTrue(KnownChanges.byCommit("0000000").isEmpty());
    }

    @Test
    void theOwnerExtFixIsTheOneFromTheStory() {
        KernelChange c = KnownChanges.byCommit("1c123c567fb1").orElseThrow();
        assertEquals("1c123c567fb138ebd187480b7fc0610fcb0851f5", c.commit());
        assertEquals("v6.2", c.firstRelease());
        assertTrue(c.stable().contains("6.1.4"));
        assertEquals("v6.2, 6.1.4+, 6.0.y", c.versions());
    }

    @Test
    void aMalformedCommitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new KernelChange("xyz", "t", "v1", List.of(), "s"));
        assertThrows(IllegalArgumentException.class, () -> new KernelChange("1C123C567FB1", "t", "v1", List.of(), "s"));
    }

    @Test
    void issueKeysRoundTripAndUnknownKeysNameTheKnownOnes() {
        for (TailcallIssue i : TailcallIssue.values()) assertSame(i, TailcallIssue.byKey(i.key()));
        var e = assertThrows(io.bpf4j.BpfException.class, () -> TailcallIssue.byKey("nope"));
        assertTrue(e.getMessage().contains("invalid-tailcallee"), e.getMessage());
    }
}
