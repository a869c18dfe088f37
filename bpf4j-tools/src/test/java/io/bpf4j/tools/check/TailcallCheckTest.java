package io.bpf4j.tools.check;

import io.bpf4j.AttachType;
import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static io.bpf4j.asm.Reg.R0;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs on the host: the checks this kernel allows must agree with the test's own raw
 * observation, and the ones it refuses must say so (with the errno) and never claim "fixed".
 */
class TailcallCheckTest {

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static BpfProgram xdp(String name, AttachType eat) {
        return BpfProgram.load(ProgramSpec.of(ProgType.XDP, new Asm().mov64(R0, 2).exit().bytes(), "GPL")
                .withName(name).withExpectedAttachType(eat));
    }

    /** The errno of loading an freplace program here, 0 if the kernel allows it. */
    static int extLoadErrno() {
        try (TailcallPrograms.Target t = TailcallPrograms.xdpTarget("t_probe_tgt");
             BpfProgram e = TailcallPrograms.extension(t, "t_probe_ext", TailcallPrograms.passing())) {
            return 0;
        } catch (BpfException e) {
            return e.errno();
        }
    }

    static int fentryLoadErrno() {
        int id = Btf.kernel().findByName("bpf_fentry_test1", BtfKind.FUNC).orElseThrow().id();
        try (BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.TRACING, new Asm().mov64(R0, 0).exit().bytes(), "GPL")
                .withExpectedAttachType(AttachType.TRACE_FENTRY).withAttachBtf(null, id))) {
            return 0;
        } catch (BpfException e) {
            return e.errno();
        }
    }

    @Test
    void attachTypeVerdictMatchesARawUpdateOfADevmapProgram() {
        Finding f = TailcallCheck.run(Set.of(TailcallIssue.TAILCALL_ATTACH_TYPE)).find(TailcallIssue.TAILCALL_ATTACH_TYPE).orElseThrow();
        int devmapErrno, controlErrno;
        try (BpfMap m = TailcallPrograms.progArray("t_eat", 3);
             BpfProgram owner = xdp("t_owner", null); BpfProgram same = xdp("t_same", null);
             BpfProgram dev = xdp("t_dev", AttachType.XDP_DEVMAP)) {
            assertEquals(0, RawBpf.update(m.fd().raw(), 0, owner.fd().raw()));
            assertEquals(ProgType.XDP.value(), RawBpf.owner(m.fd().raw()).orElseThrow());
            controlErrno = RawBpf.update(m.fd().raw(), 1, same.fd().raw());
            devmapErrno = RawBpf.update(m.fd().raw(), 2, dev.fd().raw());
        }
        assertEquals(0, controlErrno, "a second plain XDP program always fits");
        Verdict expected = devmapErrno == 0 ? Verdict.PRESENT : devmapErrno == Errno.EINVAL ? Verdict.FIXED : Verdict.INCONCLUSIVE;
        assertEquals(expected, f.verdict(), f.evidence());
        assertTrue(f.evidence().contains("devmap prog -> " + (devmapErrno == 0 ? "ok" : Errno.name(devmapErrno))), f.evidence());
    }

    /** The hierarchy program run by the test itself: how many times it ran. */
    static long hierarchyRuns() {
        try (BpfMap jmp = TailcallPrograms.progArray("t_hier_jmp", 1);
             BpfMap counts = BpfMap.create(io.bpf4j.MapSpec.of(io.bpf4j.MapType.ARRAY, 4, 8, 1));
             BpfProgram p = TailcallPrograms.hierarchy("t_hier", jmp, counts, TailcallCheck.HIERARCHY_GUARD)) {
            assertEquals(0, RawBpf.update(jmp.fd().raw(), 0, p.fd().raw()));
            assertEquals(TailcallPrograms.XDP_PASS, p.testRun(new byte[64], 1).retval());
            byte[] v = counts.lookup(new byte[4]).orElseThrow();
            return java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    @Test
    void hierarchyVerdictMatchesTheRunCountTheTestMeasures() {
        Finding f = TailcallCheck.run(Set.of(TailcallIssue.TAILCALL_HIERARCHY)).find(TailcallIssue.TAILCALL_HIERARCHY).orElseThrow();
        long runs = hierarchyRuns();
        assertTrue(f.evidence().contains("ran " + runs + " times"), runs + " vs " + f.evidence());
        if (runs == 34) assertEquals(Verdict.FIXED, f.verdict());
        else {
            assertTrue(runs > TailcallCheck.HIERARCHY_GUARD, "either one shared counter (34) or the guard stopped it: " + runs);
            assertEquals(Verdict.PRESENT, f.verdict());
        }
        // 116e04ba1459 is in mainline 6.12, so any 6.12+ kernel must count 34 runs.
        if (io.bpf4j.internal.sys.KernelRelease.running().atLeast(6, 12)) assertEquals(34, runs, "kernel " + io.bpf4j.internal.sys.KernelRelease.running());
    }

    @Test
    void freplaceChecksSayTheyCouldNotRunWhenTheKernelRefusesExtensions() {
        int errno = extLoadErrno();
        TailcallReport r = TailcallCheck.run(EnumSet.of(TailcallIssue.INVALID_TAILCALLEE,
                TailcallIssue.FREPLACE_TAILCALLEE, TailcallIssue.ATTACHED_FREPLACE_UPDATE));
        assertEquals(3, r.findings().size());
        for (Finding f : r.findings()) {
            if (errno == Errno.EPERM) {
                assertEquals(Verdict.COULD_NOT_RUN, f.verdict(), f.issue().key());
                assertEquals("this kernel refuses BPF_PROG_TYPE_EXT (EPERM)", f.evidence());
            } else {
                assertEquals(0, errno, "EXT load failed with " + Errno.name(errno));
                assertNotEquals(Verdict.COULD_NOT_RUN, f.verdict(), f.issue().key() + ": " + f.evidence());
            }
        }
    }

    @Test
    void crossHookCheckSaysItCouldNotRunWhenTheKernelRefusesTracingPrograms() {
        int errno = fentryLoadErrno();
        Finding f = TailcallCheck.run(Set.of(TailcallIssue.CROSS_HOOK_TAILCALL)).find(TailcallIssue.CROSS_HOOK_TAILCALL).orElseThrow();
        if (errno == Errno.EPERM) {
            assertEquals(Verdict.COULD_NOT_RUN, f.verdict());
            assertEquals("this kernel refuses BPF_PROG_TYPE_TRACING (EPERM)", f.evidence());
        } else {
            assertEquals(0, errno, "fentry load failed with " + Errno.name(errno));
            assertTrue(f.verdict() == Verdict.PRESENT || f.verdict() == Verdict.FIXED, f.verdict() + ": " + f.evidence());
        }
    }

    @Test
    void onlyTheAskedIssuesAreReportedEvenWhenPrerequisitesRun() {
        TailcallReport r = TailcallCheck.run(Set.of(TailcallIssue.ATTACHED_FREPLACE_UPDATE));
        assertEquals(1, r.findings().size());
        assertEquals(TailcallIssue.ATTACHED_FREPLACE_UPDATE, r.findings().getFirst().issue());
        if (extLoadErrno() != 0)
            assertEquals(Verdict.COULD_NOT_RUN, r.findings().getFirst().verdict(),
                    "without extensions the Oops probe cannot be judged safe, let alone fixed");
        assertFalse(r.release().isBlank());
    }

    @Test
    void allIssuesRunInTheirDeclaredOrder() {
        TailcallReport r = TailcallCheck.run();
        assertEquals(TailcallIssue.values().length, r.findings().size());
        for (int i = 0; i < r.findings().size(); i++) assertEquals(TailcallIssue.values()[i], r.findings().get(i).issue());
    }
}
