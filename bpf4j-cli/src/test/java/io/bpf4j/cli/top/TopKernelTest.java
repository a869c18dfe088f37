package io.bpf4j.cli.top;

import io.bpf4j.BpfProgram;
import io.bpf4j.ProgType;
import io.bpf4j.cli.CliRun;
import io.bpf4j.cli.JsonRead;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.internal.sys.KernelRelease;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bpf4j top --json} and {@code --once} on each lab kernel (5.8+ all have BPF_ENABLE_STATS):
 * test runs made while top samples are counted, and recursion misses are reported from 5.12 on
 * (9ed9e9ba2337) and shown as null / "-" before.
 */
@Tag("kernel")
class TopKernelTest {
    static final byte[] PACKET = new byte[64];

    @Test
    void runsDuringTheSampleAreCountedAndMissesAreReportedFrom512() throws Exception {
        boolean misses = KernelRelease.running().atLeast(5, 12);
        try (BpfProgram p = TestPrograms.load(ProgType.SOCKET_FILTER, "topk_sf", TestPrograms.returning(0))) {
            // 100 runs a second while top samples for 2 s.
            Thread driver = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < 400 && !Thread.currentThread().isInterrupted(); i++) {
                    p.testRun(PACKET, 1);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            CliRun r = CliRun.of("top", "--json", "--interval", "2s", "--filter", "topk_sf");
            assertEquals(0, r.exit(), r.err());
            @SuppressWarnings("unchecked") Map<String, Object> doc = (Map<String, Object>) JsonRead.parse(r.out());
            @SuppressWarnings("unchecked") List<Map<String, Object>> progs = (List<Map<String, Object>>) doc.get("programs");
            assertEquals(1, progs.size(), r.out());
            Map<String, Object> m = progs.get(0);
            long runs = ((BigDecimal) m.get("run_cnt")).longValueExact();
            assertTrue(runs > 20, "runs counted in 2 s of 100/s: " + runs);
            assertTrue(((BigDecimal) m.get("run_time_ns")).longValueExact() > 0);
            if (misses) assertEquals(BigDecimal.ZERO, m.get("recursion_misses"), KernelRelease.running().release());
            else assertEquals(null, m.get("recursion_misses"), KernelRelease.running().release());

            CliRun once = CliRun.of("top", "--once", "--interval", "500ms", "--filter", "topk_sf");
            assertEquals(0, once.exit(), once.err());
            String[] row = once.out().lines().toList().get(1).trim().split("\\s+");
            assertEquals("topk_sf", row[2]);
            assertEquals(misses ? "0" : "-", row[6], once.out());
            driver.interrupt();
            driver.join();
            long before = p.info().runCnt();
            p.testRun(PACKET, 1);
            assertEquals(before, p.info().runCnt(), "a run counted after top exited: stats still on");
            assertFalse(io.bpf4j.BpfStats.sysctlEnabled().orElse(true));
        }
    }
}
