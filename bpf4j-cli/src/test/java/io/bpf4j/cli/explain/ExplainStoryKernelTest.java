package io.bpf4j.cli.explain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The lab acceptance: {@code bpf4j explain -- story} on Debian's kernels. Where the demo's
 * update fails (5.10: the kernel lacks 1c123c567fb1) explain must name the owner
 * BPF_PROG_TYPE_EXT, the fix, and the kernel chain down to the compatibility check. Elsewhere the
 * demo's outcome (the put works, or the extension's load is refused) is explained too.
 */
@Tag("kernel")
class ExplainStoryKernelTest {
    @Test
    void theStorysDemoIsExplained() throws Exception {
        Path story = Story.build();
        ExplainCommandTest.Run r = ExplainCommandTest.explain(List.of(), List.of(story.toString(), Story.dir().toString()));
        System.out.println("--- explain's output on " + System.getenv("BPF4J_LAB_KERNEL") + ":\n" + r.err() + "--- the demo's stdout:\n" + r.out());
        Matcher s = ExplainCommandTest.SUMMARY.matcher(r.err());
        assertTrue(s.find(), r.err());
        assertEquals(s.group(2), s.group(4) == null ? "0" : s.group(4), "every failure has a cause: " + s.group());
        assertEquals(r.exit(), Integer.parseInt(s.group(6)), "explain's status is the demo's");
        String kernel = System.getenv().getOrDefault("BPF4J_LAB_KERNEL", "");
        if (r.out().startsWith("update: Invalid argument")) {
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("owner BPF_PROG_TYPE_EXT"), r.err());
            assertTrue(r.err().contains("  cause (R-M14): map "), r.err());
            assertTrue(r.err().contains("is owned by BPF_PROG_TYPE_EXT"), r.err());
            assertTrue(r.err().contains("  kernel: 1c123c567fb1 \"bpf: Resolve fext program type when checking map compatibility\""), r.err());
            assertTrue(r.err().contains("  kernel chain:\n"), r.err());
            assertTrue(r.err().matches("(?s).*\\n +<- bpf_fd_array_map_update_elem \\[-EINVAL\\]\\n.*"), r.err());
            assertTrue(r.err().matches("(?s).*\\n +<- (bpf_prog_array_compatible|bpf_prog_map_compatible|__bpf_prog_map_compatible) \\[false\\]\\n.*"),
                    r.err());
        } else if (r.out().startsWith("load tailcall_freplace:")) {
            assertTrue(kernel.isEmpty() || !kernel.equals("5.10"), "5.10 loads the extension: " + r.out());
            assertTrue(r.err().contains("prog_type=BPF_PROG_TYPE_EXT"), r.err());
            assertTrue(r.err().contains("  cause (R-L18): "), r.err());
        } else if (r.out().startsWith("Put tailcall")) {
            assertTrue(kernel.isEmpty() || !kernel.equals("5.10"), "5.10 refuses the put: " + r.out());
            assertEquals(0, r.exit());
        } else {
            fail("unexpected demo output:\n" + r.out() + "\nexplain:\n" + r.err());
        }
    }
}
