package io.bpf4j.explain.rules;

import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Rule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The knowledge base as a whole: ids unique, every rule tested by an observation of its own, and its commits known. */
class KnowledgeBaseTest {
    @Test
    void everyRuleHasItsOwnIdAndErrnos() {
        Set<String> ids = new HashSet<>();
        for (Rule r : KnowledgeBase.RULES) {
            assertTrue(r.id().matches("R-[GCMFLKOBT]\\d\\d"), r.id());
            assertTrue(ids.add(r.id()), "duplicate " + r.id());
            assertTrue(!r.errnos().isEmpty(), r.id());
        }
        assertTrue(KnowledgeBase.RULES.size() >= 25, "the issue asks for at least 25 rules on day one, there are " + KnowledgeBase.RULES.size());
    }

    /** Each rule id must be the first cause of at least one test observation in this package (assertCause(..., "R-X00", ...)). */
    @Test
    void everyRuleIsTheCauseInSomeTest() throws IOException {
        Path dir = Path.of("src/test/java/io/bpf4j/explain/rules");
        Set<String> tested = new TreeSet<>();
        Pattern p = Pattern.compile("assertCause\\((?s:.*?)\"(R-[A-Z]\\d\\d)\"");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) tested.add(m.group(1));
            }
        }
        Set<String> untested = new TreeSet<>();
        for (Rule r : KnowledgeBase.RULES) if (!tested.contains(r.id())) untested.add(r.id());
        assertEquals(Set.of(), untested, "rules without a test of their own");
    }

    @Test
    void changesCitedByRulesAreKnown() {
        assertTrue(KnownChanges.ALL.contains(KnownChanges.RESOLVE_FEXT_TYPE));
        assertEquals(KnownChanges.ALL.size(), new HashSet<>(KnownChanges.ALL.stream().map(c -> c.commit()).toList()).size());
    }
}
