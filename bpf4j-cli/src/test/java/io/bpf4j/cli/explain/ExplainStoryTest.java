package io.bpf4j.cli.explain;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The story's demo on this host, whose kernel refuses freplace programs to root (a policy, not a
 * check of kernel/bpf): the load of the extension is the failure, and explain says it was not the
 * call's fault. That there is no kernel chain here is said once.
 */
class ExplainStoryTest {
    @Test
    void theDemoOnThisHostStopsAtTheExtensionsLoad() throws Exception {
        Path story = Story.build();
        ExplainCommandTest.Run r = ExplainCommandTest.explain(List.of(), List.of(story.toString(), Story.dir().toString()));
        assertEquals(1, r.exit(), r.err());
        assertEquals("load tailcall_freplace: Operation not permitted\n", r.out());
        assertTrue(r.err().contains("bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_EXT, "), r.err());
        assertTrue(r.err().contains("  cause (R-G09): loading a BPF_PROG_TYPE_EXT program was refused although your process has every capability"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("explain: no kernel chain: ")).count(), r.err());
    }
}
