package io.bpf4j.tools.top;

import io.bpf4j.BpfLink;
import io.bpf4j.BpfProgram;
import io.bpf4j.ProgType;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.link.Links;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler against this machine's kernel (root): counts, holders, and stats off after close. */
class TopSamplerKernelTest {
    static final byte[] PACKET = new byte[64];
    static final int SELF = (int) ProcessHandle.current().pid();

    static ProgRate find(TopSample s, int id) {
        return s.programs().stream().filter(r -> r.id() == id).findFirst().orElse(null);
    }

    @Test
    void aSampleHasTheRunsBetweenReadsAndThisProcessAsHolder() {
        assertEquals(List.of(), Holders.scan().stats(), "others keep run-time stats on: cannot see them go off");
        assertEquals(java.util.Optional.of(false), io.bpf4j.BpfStats.sysctlEnabled(), "kernel.bpf_stats_enabled is 1");
        try (BpfProgram a = TestPrograms.load(ProgType.SOCKET_FILTER, "topt_sf", TestPrograms.returning(0));
             BpfProgram b = TestPrograms.load(ProgType.XDP, "topt_xdp", TestPrograms.returning(TestPrograms.XDP_PASS))) {
            a.testRun(PACKET, 5); // before top: statistics are off, so this is not counted anywhere
            try (TopSampler top = TopSampler.start()) {
                a.testRun(PACKET, 300);
                for (int i = 0; i < 7; i++) b.testRun(PACKET, 1);
                TopSample s = top.sample();
                ProgRate ra = find(s, a.id()), rb = find(s, b.id());
                assertNotNull(ra, "socket filter missing from " + s.programs());
                assertNotNull(rb, "XDP program missing");
                assertEquals(300, ra.runCnt());
                assertEquals(7, rb.runCnt());
                assertTrue(ra.runTimeNs() > 0 && rb.runTimeNs() > 0);
                assertEquals("topt_sf", ra.name());
                assertEquals(ProgType.XDP.value(), rb.typeValue());
                assertTrue(ra.recursionMisses() >= 0, "6.18 reports recursion misses");
                assertFalse(ra.sinceLoad(), "loaded before the first reading");
                String comm = ProcessHandle.current().info().command().map(c -> c.substring(c.lastIndexOf('/') + 1)).orElse("java");
                assertEquals(List.of(new Holder(SELF, comm, false)), ra.holders());
                assertTrue(ra.eventsPerSecond() > 0 && ra.intervalNs() > 0);

                TopSample quiet = top.sample();
                assertEquals(0, find(quiet, a.id()).runCnt(), "no runs since the last sample");
            }
            a.testRun(PACKET, 1);
            assertEquals(300, a.info().runCnt(), "counted after the sampler closed: statistics still on");
        }
    }

    @Test
    void aProgramHeldOnlyThroughALinkFdShowsItsHolderAsLink() {
        // A raw tracepoint link on a tracepoint only test runs fire: nothing else on the machine runs it.
        try (BpfProgram p = TestPrograms.load(ProgType.RAW_TRACEPOINT, "topt_link", TestPrograms.returning(0));
             BpfLink link = Links.rawTracepoint(p, "bpf_test_finish")) {
            int id = p.id();
            p.close(); // only the link keeps it now
            try (TopSampler top = TopSampler.start()) {
                ProgRate r = find(top.sample(), id);
                assertNotNull(r);
                assertEquals(1, r.holders().size());
                assertEquals(SELF, r.holders().get(0).pid());
                assertTrue(r.holders().get(0).viaLink());
            }
        }
    }
}
