package io.bpf4j.examples.xdp;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The XDP example's test runs on every lab kernel. (The veth part of {@link XdpExampleTest} runs
 * on this host only: the lab's guest has a read-only root, so no {@code ip netns}, and no veth
 * module loaded.)
 */
@Tag("kernel")
class XdpExampleKernelTest {
    @Test
    void testRunFramesReachTheHandlerOfTheirEtherTypeThroughTheTailCall() throws Exception {
        XdpExampleTest.checkTestRun();
    }
}
