package io.bpf4j.explain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the reason and its instruction out of verifier logs, old and new forms. */
class VerifierReportTest {
    @Test
    void theReasonIsTheLastLineThatIsNotStateOrStatistics() {
        VerifierReport v = VerifierReport.ofLog("""
                func#0 @0
                0: R1=ctx() R10=fp0
                0: (61) r0 = *(u32 *)(r1 +4096)
                invalid bpf_context access off=4096 size=4
                processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
                """);
        assertEquals("invalid bpf_context access off=4096 size=4", v.reason());
        assertEquals(0, v.insnIndex());
        assertEquals("0: (61) r0 = *(u32 *)(r1 +4096)", v.insnLine());
        assertFalse(v.clean());
    }

    @Test
    void aCleanLogEndsInStatistics() {
        VerifierReport v = VerifierReport.ofLog("func#0 @0\n0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n1: (95) exit\n"
                + "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
        assertTrue(v.clean());
        assertEquals(-1, VerifierReport.ofLog("R0 !read_ok\n").insnIndex());
    }

    @Test
    void theReasonSectionOfNewerKernels() {
        VerifierReport v = VerifierReport.ofLog("5: (79) r0 = *(u64 *)(r0 +0)\nReason: R0 invalid mem access 'map_value_or_null'\n"
                + "Suggestion: check the pointer for NULL\n");
        assertEquals("R0 invalid mem access 'map_value_or_null'", v.reason());
        assertEquals(5, v.insnIndex());
    }
}
