package io.bpf4j;

import io.bpf4j.fixtures.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BPF_ENABLE_STATS against this machine's kernel (6.18, root): what bpf4j top relies on. Stats
 * are kernel-wide, so each test first checks that nobody else keeps them on.
 */
class BpfStatsTest {
    static final byte[] PACKET = new byte[64]; // an Ethernet frame's worth: test runs need >= ETH_HLEN

    /** Processes holding a BPF_ENABLE_STATS fd ({@code anon_inode:bpf-stats}), as "pid/fd". */
    static List<String> statsFdHolders() throws IOException {
        List<String> out = new ArrayList<>();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try (var fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (Files.readSymbolicLink(fd).toString().equals("anon_inode:bpf-stats"))
                                out.add(p.getFileName() + "/" + fd.getFileName());
                        } catch (IOException gone) {
                            // closed meanwhile
                        }
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return out;
    }

    static void assertNobodyHoldsStats() throws IOException {
        assertEquals(Optional.of(false), BpfStats.sysctlEnabled(), "kernel.bpf_stats_enabled is 1: cannot see stats go off");
        assertEquals(List.of(), statsFdHolders(), "processes hold BPF_ENABLE_STATS fds: cannot see stats go off");
    }

    /** Whether stats are on, by their effect: does one test run of p count? */
    static boolean counting(BpfProgram p) {
        long before = p.info().runCnt();
        p.testRun(PACKET, 1);
        return p.info().runCnt() == before + 1;
    }

    @Test
    void statsCountWhileAnyHolderIsOpenAndStopAfterTheLastCloses() throws IOException {
        assertNobodyHoldsStats();
        try (BpfProgram p = TestPrograms.load(ProgType.SOCKET_FILTER, "stats_probe", TestPrograms.returning(0))) {
            assertTrue(!counting(p), "counted before stats were enabled");
            try (BpfStats s = BpfStats.enableRunTime()) {
                assertTrue(s.fd().raw() > 0);
                assertTrue(counting(p), "not counted with stats enabled");
                String self = ProcessHandle.current().pid() + "/" + s.fd().raw();
                assertEquals(List.of(self), statsFdHolders());
                // The sysctl shows only its own setting, not the fd's (bpf_stats_handler, d46edd671a14).
                assertEquals(Optional.of(false), BpfStats.sysctlEnabled());
                try (BpfStats second = BpfStats.enableRunTime()) {
                    assertTrue(counting(p));
                }
                assertTrue(counting(p), "the kernel counts holders: the first still holds stats on");
            }
            assertTrue(!counting(p), "counted after the last holder closed");
        }
    }

    @Test
    void testRunsCountTowardRunCntAndRunTimeOnlyWhileStatsAreOn() throws IOException {
        assertNobodyHoldsStats();
        for (ProgType type : new ProgType[] {ProgType.SOCKET_FILTER, ProgType.XDP}) {
            try (BpfProgram p = TestPrograms.load(type, "stats_" + type.name().toLowerCase(), TestPrograms.returning(2))) {
                p.testRun(PACKET, 5);
                ProgInfo off = p.info();
                assertEquals(0, off.runCnt(), type + ": counted while stats were off");
                assertEquals(0, off.runTimeNs(), type + ": timed while stats were off");
                try (BpfStats s = BpfStats.enableRunTime()) {
                    for (int i = 0; i < 100; i++) p.testRun(PACKET, 1);
                    p.testRun(PACKET, 50); // each repetition is a run
                    ProgInfo on = p.info();
                    assertEquals(150, on.runCnt(), type + ": run_cnt after 100 test runs of repeat 1 and one of repeat 50");
                    assertTrue(on.runTimeNs() > 0, type + ": run_time_ns " + on.runTimeNs());
                }
                p.testRun(PACKET, 7);
                assertEquals(150, p.info().runCnt(), type + ": counted after stats went off");
            }
        }
    }
}
