package io.bpf4j.tools.explain;

import io.bpf4j.tools.trace.ReturnKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How the kernel chain shows a result, with the register values 5.10's kretprobes returned. */
class KernelChainTest {
    @Test
    void aClonesZeroExtendedErrnoIsShownAsTheError() {
        // 5.10: bpf_map_update_value.isra.0 has no BTF, and returned -EINVAL as the int 0xffffffea.
        assertEquals("-EINVAL", KernelChain.result("bpf_map_update_value.isra.0", ReturnKind.UNKNOWN, 0xffffffeaL, "4294967274"));
    }

    @Test
    void otherResultsAreTracesOwn() {
        assertEquals("4294967274", KernelChain.result("some_function", ReturnKind.UNKNOWN, 0xffffffeaL, "4294967274"));
        assertEquals("4096", KernelChain.result("f.isra.0", ReturnKind.UNKNOWN, 4096, "4096"));
        assertEquals("0xffffffea", KernelChain.result("f.part.0", ReturnKind.UNSIGNED, 0xffffffeaL, "0xffffffea"));
        assertEquals("0x100000000", KernelChain.result("f.isra.0", ReturnKind.UNKNOWN, 1L << 32, "0x100000000"));
    }
}
