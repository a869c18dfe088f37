package io.bpf4j;

import io.bpf4j.asm.Asm;
import io.bpf4j.features.Features;
import io.bpf4j.features.Probe;
import org.junit.jupiter.api.Test;

import static io.bpf4j.asm.Reg.R0;
import static org.junit.jupiter.api.Assertions.*;

/** Verifier logs larger than the first buffer, and feature probes, on this machine's kernel. */
class VerifierLogTest {
    @Test
    void logLargerThanTheFirstBufferIsGrownAndKeptWhole() {
        // 6,000 instructions, then a read of an uninitialised register: the log at level 1
        // prints every instruction of the path, far more than the first 64 KiB buffer.
        Asm a = new Asm().mov64(R0, 0);
        for (int i = 0; i < 6000; i++) a.add64(R0, 1);
        byte[] insns = a.mov64(R0, io.bpf4j.asm.Reg.R5).exit().bytes();
        VerifierException e = assertThrows(VerifierException.class,
                () -> BpfProgram.load(ProgramSpec.of(ProgType.SOCKET_FILTER, insns, "GPL")));
        assertFalse(e.truncated(), "the log was grown until it fit");
        assertTrue(e.log().length() > BpfProgram.FIRST_LOG, "log of " + e.log().length() + " bytes");
        assertTrue(e.getMessage().contains("R5 !read_ok"), e.getMessage());
        assertTrue(e.tail(3).stream().anyMatch(l -> l.contains("R5 !read_ok")), e.tail(3).toString());
    }

    @Test
    void probesAnswerSupportedAndNotSupportedFromTheKernel() {
        assertEquals(Probe.Verdict.SUPPORTED, Features.programType(ProgType.XDP).verdict());
        assertEquals(Probe.Verdict.SUPPORTED, Features.programType(ProgType.SOCKET_FILTER).verdict());
        assertEquals(Probe.Verdict.NOT_SUPPORTED, Features.programType(ProgType.UNSPEC).verdict());
        assertEquals(Probe.Verdict.SUPPORTED, Features.mapType(MapType.RINGBUF).verdict());
        assertEquals(Probe.Verdict.SUPPORTED, Features.mapType(MapType.SK_STORAGE).verdict(), "needs BTF to probe");
        assertEquals(Probe.Verdict.NOT_SUPPORTED, Features.mapType(MapType.UNSPEC).verdict());
        assertEquals(Probe.Verdict.SUPPORTED, Features.helper(ProgType.XDP, 12, "bpf_tail_call").verdict());
        assertEquals(Probe.Verdict.NOT_SUPPORTED, Features.helper(ProgType.SOCKET_FILTER, 100000, "none").verdict());
        // bpf_override_return only exists for kprobe programs (error injection).
        assertEquals(Probe.Verdict.NOT_SUPPORTED, Features.helper(ProgType.SOCKET_FILTER, 58, "bpf_override_return").verdict());
        assertNotEquals(Probe.Verdict.NOT_SUPPORTED, Features.programType(ProgType.EXT).verdict(),
                "EXT exists since 5.6; here it is supported or refused by policy, never unknown to the kernel");
    }
}
