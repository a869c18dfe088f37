package io.bpf4j.tools.check;

import io.bpf4j.internal.Scope;
import io.bpf4j.internal.bytes.LittleEndian;

import io.bpf4j.AttachType;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.VerifierException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.FdInfo;
import io.bpf4j.link.Links;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Detects the known tail-call and freplace kernel issues on the running kernel, in the spirit
 * of Asphaltt/tailcall-issues: small XDP (and, for one issue, fentry) programs, prog arrays,
 * {@code BPF_MAP_UPDATE_ELEM}, freplace attach and fdinfo. No traffic, no kprobes, nothing is
 * ever run, and every object is released before {@link #run} returns.
 *
 * <p>Each verdict is derived from what the kernel did (errno names, the prog array owner in
 * fdinfo), never from the release number. One issue is a kernel Oops: that probe runs only when
 * an earlier observation proves the dangerous path cannot be reached on this kernel, and
 * otherwise reports {@link Verdict#COULD_NOT_RUN} with the reason.
 */
public final class TailcallCheck {
    private static final int EXT = ProgType.EXT.value(), XDP = ProgType.XDP.value();

    /** What an earlier probe established that a later one's safety depends on. */
    private Boolean ownerIsExt;           // invalid-tailcallee: the EXT caller claimed the owner as EXT
    private Boolean extRefusedBeforeOwner; // freplace-tailcallee: an EXT update fails before claiming the owner
    private String extBlocked;            // why EXT probes could not run, when they could not

    private TailcallCheck() {}

    /** Runs every check. */
    public static TailcallReport run() {
        return run(EnumSet.allOf(TailcallIssue.class));
    }

    /**
     * Runs the checks and reports {@code only} those issues. The Oops check depends on the two
     * freplace checks before it, so they run whenever it is asked for.
     */
    public static TailcallReport run(Set<TailcallIssue> only) {
        TailcallCheck c = new TailcallCheck();
        List<Finding> out = new ArrayList<>();
        boolean needFreplace = only.contains(TailcallIssue.ATTACHED_FREPLACE_UPDATE);
        for (TailcallIssue issue : TailcallIssue.values()) {
            boolean wanted = only.contains(issue);
            boolean prerequisite = needFreplace
                    && (issue == TailcallIssue.INVALID_TAILCALLEE || issue == TailcallIssue.FREPLACE_TAILCALLEE);
            if (!wanted && !prerequisite) continue;
            Finding f = c.check(issue);
            if (wanted) out.add(f);
        }
        return new TailcallReport(KernelRelease.running().release(), jitEnabled(), out);
    }

    private Finding check(TailcallIssue issue) {
        try (Scope s = new Scope()) {
            return switch (issue) {
                case INVALID_TAILCALLEE -> invalidTailcallee(s);
                case FREPLACE_TAILCALLEE -> freplaceTailcallee(s);
                case ATTACHED_FREPLACE_UPDATE -> attachedFreplaceUpdate(s);
                case CROSS_HOOK_TAILCALL -> crossHookTailcall(s);
                case TAILCALL_ATTACH_TYPE -> attachTypeTailcall(s);
                case TAILCALL_HIERARCHY -> tailcallHierarchy(s);
            };
        } catch (NotRun e) {
            return new Finding(issue, Verdict.COULD_NOT_RUN, e.getMessage());
        } catch (BpfException e) {
            // A setup step failed in a way no probe expects: say which, and claim nothing.
            return new Finding(issue, Verdict.COULD_NOT_RUN, "setup failed: " + oneLine(e));
        }
    }

    // --- invalid-tailcallee (1c123c567fb1) ---------------------------------------------------

    /**
     * Load an freplace program that tail-calls through a fresh prog array: loading it claims the
     * owner. Old kernels record the owner as EXT and then refuse an XDP callee; fixed kernels
     * resolve it to the target's type (XDP) and accept the callee.
     */
    private Finding invalidTailcallee(Scope s) {
        BpfMap jmp = s.add(TailcallPrograms.progArray("ck_jmp_table", 2));
        TailcallPrograms.Target t = s.add(TailcallPrograms.xdpTarget("ck_entry"));
        s.add(ext(() -> TailcallPrograms.extension(t, "ck_ext_caller", TailcallPrograms.tailCaller(jmp, 0)),
                "load freplace tail caller"));
        OptionalInt owner = owner(jmp);
        BpfProgram callee = s.add(TailcallPrograms.xdp("ck_callee", null));
        Outcome put = update(jmp, 0, callee);
        String ev = "EXT caller loaded, owner_prog_type " + ownerText(owner) + "; update XDP callee -> " + put;
        ownerIsExt = owner.isPresent() && owner.getAsInt() == EXT;
        if (ownerIsExt && put.errno() == Errno.EINVAL) return new Finding(TailcallIssue.INVALID_TAILCALLEE, Verdict.PRESENT, ev);
        if (owner.isPresent() && owner.getAsInt() == XDP && put.ok())
            return new Finding(TailcallIssue.INVALID_TAILCALLEE, Verdict.FIXED, ev);
        return new Finding(TailcallIssue.INVALID_TAILCALLEE, Verdict.INCONCLUSIVE, ev);
    }

    // --- freplace-tailcallee (d6083f040d5d) --------------------------------------------------

    /**
     * Three restrictions of the same fix, each on fresh objects: an freplace program cannot be a
     * tail callee (EINVAL, checked before the owner is claimed), a program that is extended
     * cannot be a tail callee (EBUSY), and a tail callee cannot be extended (EBUSY on attach).
     * Nothing runs, so the loops the fix prevents are never entered.
     */
    private Finding freplaceTailcallee(Scope s) {
        List<String> ev = new ArrayList<>();
        int oldCount = 0, newCount = 0;

        BpfMap a = s.add(TailcallPrograms.progArray("ck_ext_callee", 1));
        TailcallPrograms.Target ta = s.add(TailcallPrograms.xdpTarget("ck_entry_a"));
        BpfProgram extA = s.add(ext(() -> TailcallPrograms.extension(ta, "ck_ext_a", TailcallPrograms.passing()),
                "load freplace program"));
        Outcome putExt = update(a, 0, extA);
        OptionalInt ownerA = owner(a);
        ev.add("update EXT -> " + putExt + (putExt.ok() ? ", owner_prog_type " + ownerText(ownerA)
                : ownerA.isEmpty() ? ", map unowned" : ", owner_prog_type " + ownerText(ownerA)));
        if (putExt.ok()) {
            oldCount++;
            extRefusedBeforeOwner = false;
        } else if (putExt.errno() == Errno.EINVAL && ownerA.isEmpty()) {
            newCount++;
            extRefusedBeforeOwner = true;
        }

        BpfMap b = s.add(TailcallPrograms.progArray("ck_extended", 1));
        TailcallPrograms.Target tb = s.add(TailcallPrograms.xdpTarget("ck_entry_b"));
        BpfProgram extB = s.add(ext(() -> TailcallPrograms.extension(tb, "ck_ext_b", TailcallPrograms.passing()),
                "load freplace program"));
        Outcome putExtended;
        try (BpfLink l = Links.freplace(extB, tb.prog(), tb.subprogBtfId())) {
            putExtended = update(b, 0, tb.prog());
        }
        ev.add("update extended prog -> " + putExtended);
        if (putExtended.ok()) oldCount++;
        else if (putExtended.errno() == Errno.EBUSY) newCount++;

        BpfMap c = s.add(TailcallPrograms.progArray("ck_member", 1));
        TailcallPrograms.Target tc = s.add(TailcallPrograms.xdpTarget("ck_entry_c"));
        Outcome member = update(c, 0, tc.prog());
        if (!member.ok()) throw new NotRun("setup failed: update XDP prog into a fresh prog array -> " + member);
        BpfProgram extC = s.add(ext(() -> TailcallPrograms.extension(tc, "ck_ext_c", TailcallPrograms.passing()),
                "load freplace program"));
        Outcome attach = attach(extC, tc);
        ev.add("extend prog array member -> " + attach);
        if (attach.ok()) oldCount++;
        else if (attach.errno() == Errno.EBUSY) newCount++;

        Verdict v = oldCount == 3 ? Verdict.PRESENT : newCount == 3 ? Verdict.FIXED : Verdict.INCONCLUSIVE;
        return new Finding(TailcallIssue.FREPLACE_TAILCALLEE, v, String.join("; ", ev));
    }

    // --- attached-freplace-update (f7866c358733, fdad456cbcca) -------------------------------

    /**
     * On kernels with 1c123c567fb1 but without f7866c358733, putting an attached freplace
     * program into a prog array dereferences a NULL pointer. So the update is only tried where
     * an earlier observation shows that path cannot be reached: the kernel refuses freplace
     * callees before the owner check (d6083f040d5d), or its owner check never resolves
     * extension types (no 1c123c567fb1, owner seen as EXT).
     */
    private Finding attachedFreplaceUpdate(Scope s) {
        TailcallIssue issue = TailcallIssue.ATTACHED_FREPLACE_UPDATE;
        boolean refusedEarly = Boolean.TRUE.equals(extRefusedBeforeOwner);
        boolean unresolved = Boolean.TRUE.equals(ownerIsExt);
        if (!refusedEarly && !unresolved) {
            if (extBlocked != null) throw new NotRun(extBlocked);
            throw new NotRun("not probed: this kernel still accepts freplace tail callees and resolves their type "
                    + "in the owner check, so the probe itself would Oops the kernel if f7866c358733 is missing");
        }
        BpfMap m = s.add(TailcallPrograms.progArray("ck_attached", 1));
        TailcallPrograms.Target t = s.add(TailcallPrograms.xdpTarget("ck_entry_d"));
        BpfProgram e = s.add(ext(() -> TailcallPrograms.extension(t, "ck_ext_d", TailcallPrograms.passing()),
                "load freplace program"));
        BpfLink link = s.add(Links.freplace(e, t.prog(), t.subprogBtfId()));
        Outcome put = update(m, 0, e);
        OptionalInt owner = owner(m);
        String ev = "update attached EXT -> " + put + ", " + (owner.isEmpty() ? "map unowned" : "owner_prog_type " + ownerText(owner));
        link.close();
        if (refusedEarly) {
            if (put.errno() == Errno.EINVAL && owner.isEmpty())
                return new Finding(issue, Verdict.FIXED, ev + " (refused before the owner check, no Oops)");
            return new Finding(issue, Verdict.INCONCLUSIVE, ev);
        }
        if (put.ok() && owner.isPresent() && owner.getAsInt() == EXT)
            return new Finding(issue, Verdict.NOT_APPLICABLE, ev + " (owner check compares unresolved types; "
                    + "the Oops needs 1c123c567fb1)");
        return new Finding(issue, Verdict.INCONCLUSIVE, ev);
    }

    // --- cross-hook-tailcall (28ead3eaabc1) --------------------------------------------------

    /**
     * Two fentry programs on functions with different prototypes share a prog array: fixed
     * kernels refuse the second (EINVAL); a second fentry on the first function is the control
     * that must be accepted on every kernel.
     */
    private Finding crossHookTailcall(Scope s) {
        Btf vmlinux;
        try {
            vmlinux = Btf.kernel();
        } catch (BpfException e) {
            throw new NotRun("needs vmlinux BTF for fentry programs: " + oneLine(e));
        }
        int f1 = vmlinuxFunc(vmlinux, "bpf_fentry_test1"), f2 = vmlinuxFunc(vmlinux, "bpf_fentry_test2");
        BpfMap m = s.add(TailcallPrograms.progArray("ck_hooks", 3));
        BpfProgram a = s.add(fentry("ck_fentry_t1", f1));
        BpfProgram a2 = s.add(fentry("ck_fentry_t1b", f1));
        BpfProgram b = s.add(fentry("ck_fentry_t2", f2));
        Outcome first = update(m, 0, a);
        if (!first.ok()) throw new NotRun("setup failed: update fentry prog into a fresh prog array -> " + first);
        Outcome same = update(m, 1, a2);
        Outcome other = update(m, 2, b);
        String ev = "owner fentry/bpf_fentry_test1; update fentry on the same function -> " + same
                + "; on bpf_fentry_test2 -> " + other;
        if (same.ok() && other.ok()) return new Finding(TailcallIssue.CROSS_HOOK_TAILCALL, Verdict.PRESENT, ev);
        if (same.ok() && other.errno() == Errno.EINVAL) return new Finding(TailcallIssue.CROSS_HOOK_TAILCALL, Verdict.FIXED, ev);
        return new Finding(TailcallIssue.CROSS_HOOK_TAILCALL, Verdict.INCONCLUSIVE, ev);
    }

    private static int vmlinuxFunc(Btf vmlinux, String name) {
        return vmlinux.findByName(name, BtfKind.FUNC).map(BtfType::id)
                .orElseThrow(() -> new NotRun("needs " + name + " in vmlinux BTF (5.5+)"));
    }

    private static BpfProgram fentry(String name, int btfId) {
        return load(ProgType.TRACING, "load fentry program", () -> BpfProgram.load(
                ProgramSpec.of(ProgType.TRACING, new io.bpf4j.asm.Asm().mov64(io.bpf4j.asm.Reg.R0, 0).exit().bytes(), "GPL")
                        .withName(name).withExpectedAttachType(AttachType.TRACE_FENTRY).withAttachBtf(null, btfId)));
    }

    // --- tailcall-attach-type (4540aed51b12) -------------------------------------------------

    /**
     * An XDP program (no expected attach type) owns a prog array; an XDP devmap program
     * (expected_attach_type BPF_XDP_DEVMAP) is then put in. Fixed kernels refuse it (EINVAL);
     * a second plain XDP program is the control.
     */
    private Finding attachTypeTailcall(Scope s) {
        BpfMap m = s.add(TailcallPrograms.progArray("ck_attach_type", 3));
        BpfProgram x1 = s.add(TailcallPrograms.xdp("ck_xdp", null));
        BpfProgram x2 = s.add(TailcallPrograms.xdp("ck_xdp_b", null));
        BpfProgram dev;
        try {
            dev = s.add(TailcallPrograms.xdp("ck_xdp_devmap", AttachType.XDP_DEVMAP));
        } catch (BpfException e) {
            if (e.errno() == Errno.EINVAL)
                return new Finding(TailcallIssue.TAILCALL_ATTACH_TYPE, Verdict.NOT_APPLICABLE,
                        "load XDP prog with expected_attach_type BPF_XDP_DEVMAP -> EINVAL (no devmap programs, 5.8+)");
            throw e;
        }
        Outcome first = update(m, 0, x1);
        if (!first.ok()) throw new NotRun("setup failed: update XDP prog into a fresh prog array -> " + first);
        Outcome same = update(m, 1, x2);
        Outcome devmap = update(m, 2, dev);
        String ev = "owner XDP (no attach type); update XDP -> " + same + "; update XDP devmap prog -> " + devmap;
        if (same.ok() && devmap.ok()) return new Finding(TailcallIssue.TAILCALL_ATTACH_TYPE, Verdict.PRESENT, ev);
        if (same.ok() && devmap.errno() == Errno.EINVAL) return new Finding(TailcallIssue.TAILCALL_ATTACH_TYPE, Verdict.FIXED, ev);
        return new Finding(TailcallIssue.TAILCALL_ATTACH_TYPE, Verdict.INCONCLUSIVE, ev);
    }

    // --- tailcall-hierarchy (116e04ba1459) ---------------------------------------------------

    /** The kernel's MAX_TAIL_CALL_CNT since 5.1 (ebf7f6f0a6cd); a program plus 33 tail calls runs 34 times. */
    static final int MAX_TAIL_CALL_CNT = 33;
    /** Our own stop: past it the program makes no more calls, so a buggy kernel ends after ~this many runs. */
    static final int HIERARCHY_GUARD = 500;

    /**
     * An XDP program counts its runs, then calls a subprogram twice that tail-calls the program
     * itself. With one shared tail-call counter the whole tree makes 33 tail calls: 34 runs.
     * Before the fix each subprogram frame had its own copy, so the tree would grow to 2^34
     * runs; the program's own guard stops it at {@value #HIERARCHY_GUARD}, which keeps the probe
     * short and harmless on such kernels. Run once with BPF_PROG_TEST_RUN.
     */
    private Finding tailcallHierarchy(Scope s) {
        BpfMap jmp = s.add(TailcallPrograms.progArray("ck_hier_jmp", 1));
        BpfMap counts = s.add(BpfMap.create(io.bpf4j.MapSpec.of(io.bpf4j.MapType.ARRAY, 4, 8, 1).withName("ck_hier_count")));
        BpfProgram p;
        try {
            p = s.add(TailcallPrograms.hierarchy("ck_hierarchy", jmp, counts, HIERARCHY_GUARD));
        } catch (VerifierException e) {
            if (e.log().contains("tail_calls are not allowed in programs with bpf-to-bpf calls"))
                return new Finding(TailcallIssue.TAILCALL_HIERARCHY, Verdict.NOT_APPLICABLE,
                        "load -> " + e.errnoName() + ": tail_calls are not allowed in programs with bpf-to-bpf calls "
                                + "(no JIT support here, so no hierarchy)");
            throw new NotRun("load tail-call hierarchy program -> " + e.errnoName() + ": " + String.join(" ", e.tail(1)).strip());
        }
        Outcome put = update(jmp, 0, p);
        if (!put.ok()) throw new NotRun("setup failed: update the program into its own prog array -> " + put);
        int retval = p.testRun(new byte[64], 1).retval();
        long runs = LittleEndian.u64(counts.lookup(LittleEndian.of32(0)).orElseThrow(), 0);
        String ev = "test run -> retval " + retval + ", program ran " + runs + " times ("
                + (MAX_TAIL_CALL_CNT + 1) + " = 1 + MAX_TAIL_CALL_CNT; guard at " + HIERARCHY_GUARD + ")";
        Verdict v = runs == MAX_TAIL_CALL_CNT + 1 ? Verdict.FIXED : runs > HIERARCHY_GUARD ? Verdict.PRESENT : Verdict.INCONCLUSIVE;
        return new Finding(TailcallIssue.TAILCALL_HIERARCHY, v, ev);
    }

    // --- steps ------------------------------------------------------------------------------

    /** What one step did: ok, or the errno the kernel returned. */
    public record Outcome(int errno) {
        public static final Outcome OK = new Outcome(0);

        public boolean ok() {
            return errno == 0;
        }

        @Override
        public String toString() {
            return ok() ? "ok" : Errno.name(errno);
        }
    }

    /** BPF_MAP_UPDATE_ELEM(progArray, slot, prog fd), errno captured instead of thrown. */
    public static Outcome update(BpfMap progArray, int slot, BpfProgram prog) {
        try {
            progArray.update(LittleEndian.of32(slot), LittleEndian.of32(prog.fd().raw()), BpfMap.ANY);
            return Outcome.OK;
        } catch (BpfException e) {
            if (e.errno() == 0) throw e;
            return new Outcome(e.errno());
        }
    }

    /** Attach an freplace program to its target's subprogram and detach at once; the errno if refused. */
    private static Outcome attach(BpfProgram ext, TailcallPrograms.Target t) {
        try (BpfLink l = Links.freplace(ext, t.prog(), t.subprogBtfId())) {
            return Outcome.OK;
        } catch (BpfException e) {
            if (e.errno() == 0) throw e;
            return new Outcome(e.errno());
        }
    }

    /** The owner type fdinfo shows for a prog array; empty while unowned. */
    public static OptionalInt owner(BpfMap progArray) {
        return FdInfo.of(progArray.fd()).ownerProgType();
    }

    private static String ownerText(OptionalInt owner) {
        if (owner.isEmpty()) return "none";
        int v = owner.getAsInt();
        return v + " (" + ProgType.nameOf(v).replace("BPF_PROG_TYPE_", "") + ")";
    }

    private BpfProgram ext(Supplier<BpfProgram> loader, String what) {
        if (extBlocked != null) throw new NotRun(extBlocked);
        try {
            return load(ProgType.EXT, what, loader);
        } catch (NotRun e) {
            extBlocked = e.getMessage();
            throw e;
        }
    }

    /** Loads; a refusal of the program type becomes NotRun with the errno, never a verdict. */
    private static BpfProgram load(ProgType type, String what, Supplier<BpfProgram> loader) {
        try {
            return loader.get();
        } catch (VerifierException e) {
            List<String> tail = e.tail(1);
            throw new NotRun(what + " -> " + e.errnoName() + (tail.isEmpty() ? "" : ": " + tail.getFirst().strip()));
        } catch (BpfException e) {
            if (e.errno() == Errno.EPERM)
                throw new NotRun("this kernel refuses " + type.kernelName() + " (EPERM)");
            throw new NotRun(what + " -> " + (e.errno() == 0 ? oneLine(e) : e.errnoName()));
        }
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static Integer jitEnabled() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/core/bpf_jit_enable")).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** A probe step that could not happen; its message is the reason shown to the user. */
    private static final class NotRun extends RuntimeException {
        NotRun(String reason) {
            super(reason, null, false, false);
        }
    }
}
