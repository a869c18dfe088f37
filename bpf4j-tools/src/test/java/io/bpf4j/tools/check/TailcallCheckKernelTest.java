package io.bpf4j.tools.check;

import io.bpf4j.AttachType;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.Set;

import static io.bpf4j.asm.Reg.R0;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Each verdict of {@link TailcallCheck} against the test's own observation in the same VM: the
 * errno of a BPF_MAP_UPDATE_ELEM or BPF_LINK_CREATE laid out by hand ({@link RawBpf}) and the
 * owner read from /proc/self/fdinfo directly. Every lab kernel (5.10+) has freplace (5.6) and
 * fentry (5.5), so no check may report "could not run" here except the Oops probe, and that
 * only when the test's own observations say the probe would be unsafe.
 */
@Tag("kernel")
class TailcallCheckKernelTest {
    static final int EXT = ProgType.EXT.value(), XDP = ProgType.XDP.value();

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static Finding check(TailcallIssue issue) {
        Finding f = TailcallCheck.run(Set.of(issue)).find(issue).orElseThrow();
        System.out.println(issue.key() + ": " + f.verdict() + " — " + f.evidence());
        return f;
    }

    /** Owner type after an EXT tail caller loads, and the errno of then putting an XDP callee. */
    record OwnerObservation(OptionalInt owner, int putErrno) {}

    static OwnerObservation observeOwner() {
        try (BpfMap jmp = TailcallPrograms.progArray("t_jmp", 1);
             TailcallPrograms.Target t = TailcallPrograms.xdpTarget("t_entry");
             BpfProgram caller = TailcallPrograms.extension(t, "t_caller", TailcallPrograms.tailCaller(jmp, 0));
             BpfProgram callee = TailcallPrograms.xdp("t_callee", null)) {
            OptionalInt owner = RawBpf.owner(jmp.fd().raw());
            return new OwnerObservation(owner, RawBpf.update(jmp.fd().raw(), 0, callee.fd().raw()));
        }
    }

    /** Errno of putting an unattached freplace program into a fresh prog array, and the owner after. */
    record ExtCalleeObservation(int errno, OptionalInt owner) {
        boolean refusedBeforeOwner() {
            return errno == Errno.EINVAL && owner.isEmpty();
        }
    }

    static ExtCalleeObservation observeExtCallee() {
        try (BpfMap m = TailcallPrograms.progArray("t_extcallee", 1);
             TailcallPrograms.Target t = TailcallPrograms.xdpTarget("t_entry");
             BpfProgram e = TailcallPrograms.extension(t, "t_ext", TailcallPrograms.passing())) {
            int errno = RawBpf.update(m.fd().raw(), 0, e.fd().raw());
            return new ExtCalleeObservation(errno, RawBpf.owner(m.fd().raw()));
        }
    }

    @Test
    void invalidTailcalleeVerdictMatchesTheOwnerInFdinfoAndTheUpdateErrno() {
        Finding f = check(TailcallIssue.INVALID_TAILCALLEE);
        OwnerObservation o = observeOwner();
        assertTrue(o.owner().isPresent(), "loading a tail caller claims the prog array");
        if (o.owner().getAsInt() == EXT) {
            assertEquals(Errno.EINVAL, o.putErrno(), "an EXT-owned map refuses XDP programs");
            assertEquals(Verdict.PRESENT, f.verdict(), f.evidence());
            assertTrue(f.evidence().contains("owner_prog_type 28 (EXT)"), f.evidence());
        } else {
            assertEquals(XDP, o.owner().getAsInt(), "fixed kernels record the target's type");
            assertEquals(0, o.putErrno());
            assertEquals(Verdict.FIXED, f.verdict(), f.evidence());
        }
    }

    @Test
    void freplaceTailcalleeVerdictMatchesRawUpdatesAndAttach() {
        Finding f = check(TailcallIssue.FREPLACE_TAILCALLEE);
        ExtCalleeObservation ext = observeExtCallee();
        int extendedErrno, attachErrno;
        try (BpfMap m = TailcallPrograms.progArray("t_extended", 1);
             TailcallPrograms.Target t = TailcallPrograms.xdpTarget("t_entry_b");
             BpfProgram e = TailcallPrograms.extension(t, "t_ext_b", TailcallPrograms.passing());
             RawBpf.Link l = RawBpf.freplace(e.fd().raw(), t.prog().fd().raw(), t.subprogBtfId())) {
            assertEquals(0, l.errno(), "attach to a program in no prog array");
            extendedErrno = RawBpf.update(m.fd().raw(), 0, t.prog().fd().raw());
        }
        try (BpfMap m = TailcallPrograms.progArray("t_member", 1);
             TailcallPrograms.Target t = TailcallPrograms.xdpTarget("t_entry_c")) {
            assertEquals(0, RawBpf.update(m.fd().raw(), 0, t.prog().fd().raw()));
            try (BpfProgram e = TailcallPrograms.extension(t, "t_ext_c", TailcallPrograms.passing());
                 RawBpf.Link l = RawBpf.freplace(e.fd().raw(), t.prog().fd().raw(), t.subprogBtfId())) {
                attachErrno = l.errno();
            }
        }
        if (ext.errno() == 0) {
            assertEquals(0, extendedErrno);
            assertEquals(0, attachErrno);
            assertEquals(Verdict.PRESENT, f.verdict(), f.evidence());
        } else {
            assertTrue(ext.refusedBeforeOwner(), "EXT refused with " + Errno.name(ext.errno()) + ", owner " + ext.owner());
            assertEquals(Errno.EBUSY, extendedErrno, "an extended program cannot be a tail callee");
            assertEquals(Errno.EBUSY, attachErrno, "a tail callee cannot be extended");
            assertEquals(Verdict.FIXED, f.verdict(), f.evidence());
        }
    }

    @Test
    void attachedFreplaceUpdateIsProbedOnlyWhereTheTestSeesItIsSafe() {
        Finding f = check(TailcallIssue.ATTACHED_FREPLACE_UPDATE);
        OwnerObservation o = observeOwner();
        ExtCalleeObservation ext = observeExtCallee();
        boolean unresolved = o.owner().isPresent() && o.owner().getAsInt() == EXT;
        if (!unresolved && !ext.refusedBeforeOwner()) {
            assertEquals(Verdict.COULD_NOT_RUN, f.verdict(), f.evidence());
            assertTrue(f.evidence().startsWith("not probed"), f.evidence());
            return;
        }
        int errno;
        OptionalInt owner;
        try (BpfMap m = TailcallPrograms.progArray("t_attached", 1);
             TailcallPrograms.Target t = TailcallPrograms.xdpTarget("t_entry_d");
             BpfProgram e = TailcallPrograms.extension(t, "t_ext_d", TailcallPrograms.passing());
             RawBpf.Link l = RawBpf.freplace(e.fd().raw(), t.prog().fd().raw(), t.subprogBtfId())) {
            assertEquals(0, l.errno());
            errno = RawBpf.update(m.fd().raw(), 0, e.fd().raw());
            owner = RawBpf.owner(m.fd().raw());
        }
        if (ext.refusedBeforeOwner()) {
            assertEquals(Errno.EINVAL, errno);
            assertTrue(owner.isEmpty(), "refused before the owner check");
            assertEquals(Verdict.FIXED, f.verdict(), f.evidence());
        } else {
            assertEquals(0, errno);
            assertEquals(EXT, owner.orElseThrow(), "the unresolved owner check records EXT");
            assertEquals(Verdict.NOT_APPLICABLE, f.verdict(), f.evidence());
        }
    }

    static BpfProgram fentry(String name, String func) {
        int id = Btf.kernel().findByName(func, BtfKind.FUNC).orElseThrow(() -> new AssertionError(func + " missing")).id();
        return BpfProgram.load(ProgramSpec.of(ProgType.TRACING, new Asm().mov64(R0, 0).exit().bytes(), "GPL").withName(name)
                .withExpectedAttachType(AttachType.TRACE_FENTRY).withAttachBtf(null, id));
    }

    @Test
    void crossHookVerdictMatchesARawUpdateOfAnFentryOnAnotherFunction() {
        Finding f = check(TailcallIssue.CROSS_HOOK_TAILCALL);
        int sameErrno, otherErrno;
        try (BpfMap m = TailcallPrograms.progArray("t_hooks", 3);
             BpfProgram a = fentry("t_f1", "bpf_fentry_test1"); BpfProgram a2 = fentry("t_f1b", "bpf_fentry_test1");
             BpfProgram b = fentry("t_f2", "bpf_fentry_test2")) {
            assertEquals(0, RawBpf.update(m.fd().raw(), 0, a.fd().raw()));
            assertEquals(ProgType.TRACING.value(), RawBpf.owner(m.fd().raw()).orElseThrow());
            sameErrno = RawBpf.update(m.fd().raw(), 1, a2.fd().raw());
            otherErrno = RawBpf.update(m.fd().raw(), 2, b.fd().raw());
        }
        assertEquals(0, sameErrno, "same hook always fits");
        if (otherErrno == 0) assertEquals(Verdict.PRESENT, f.verdict(), f.evidence());
        else {
            assertEquals(Errno.EINVAL, otherErrno);
            assertEquals(Verdict.FIXED, f.verdict(), f.evidence());
        }
    }

    @Test
    void attachTypeVerdictMatchesARawUpdateOfADevmapProgram() {
        Finding f = check(TailcallIssue.TAILCALL_ATTACH_TYPE);
        int errno;
        try (BpfMap m = TailcallPrograms.progArray("t_eat", 2);
             BpfProgram owner = TailcallPrograms.xdp("t_owner", null);
             BpfProgram dev = TailcallPrograms.xdp("t_dev", AttachType.XDP_DEVMAP)) {
            assertEquals(0, RawBpf.update(m.fd().raw(), 0, owner.fd().raw()));
            errno = RawBpf.update(m.fd().raw(), 1, dev.fd().raw());
        }
        assertEquals(errno == 0 ? Verdict.PRESENT : Verdict.FIXED, f.verdict(), f.evidence());
        if (errno != 0) assertEquals(Errno.EINVAL, errno);
    }

    @Test
    void hierarchyVerdictMatchesTheRunCountTheTestMeasures() {
        new TailcallCheckTest().hierarchyVerdictMatchesTheRunCountTheTestMeasures();
    }

    @Test
    void everyCheckRunsOnALabKernel() {
        TailcallReport r = TailcallCheck.run();
        for (Finding f : r.findings()) {
            if (f.issue() == TailcallIssue.ATTACHED_FREPLACE_UPDATE && f.evidence().startsWith("not probed")) continue;
            assertNotEquals(Verdict.COULD_NOT_RUN, f.verdict(), f.issue().key() + ": " + f.evidence());
            assertNotEquals(Verdict.INCONCLUSIVE, f.verdict(), f.issue().key() + ": " + f.evidence());
        }
    }
}
