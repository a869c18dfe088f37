package io.bpf4j.features;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.VerifierException;
import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.BpfStats;
import io.bpf4j.Fd;
import io.bpf4j.UnsupportedFeatureException;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.CallKind;
import io.bpf4j.asm.Insn;
import io.bpf4j.asm.Reg;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Feature probes against the running kernel: program types, map types and helpers, each
 * answered by trying the smallest thing that exercises it, as bpftool's
 * {@code feature probe} does. The probes of {@link KernelFeature} are cached: {@link #probe}
 * asks the kernel once per process for an answer that is yes or no; "could not tell" (for
 * example EPERM, which can change with privileges) is asked again next time.
 */
public final class Features {
    private Features() {}

    private static final Map<KernelFeature, Probe> CACHE = new ConcurrentHashMap<>();

    /** The running kernel's answer for {@code f}, probed once per process. */
    public static Probe probe(KernelFeature f) {
        Probe p = CACHE.get(f);
        if (p != null) return p;
        p = f.probe.get();
        if (p.verdict() != Probe.Verdict.UNKNOWN) CACHE.putIfAbsent(f, p);
        return p;
    }

    /** Whether the running kernel has {@code f}; false also when the probe could not tell. */
    public static boolean has(KernelFeature f) {
        return probe(f).supported();
    }

    /**
     * Returns if the running kernel has {@code f}; otherwise throws an
     * {@link UnsupportedFeatureException} naming it and the first kernel that has it (or a
     * {@link BpfException} with the errno when the probe could not tell, e.g. for want of privileges).
     */
    public static void require(KernelFeature f) {
        Probe p = probe(f);
        switch (p.verdict()) {
            case SUPPORTED -> { }
            case NOT_SUPPORTED -> throw new UnsupportedFeatureException(f.title(), f.minimumKernel(), p.detail());
            case UNKNOWN -> throw new BpfException("probe " + f.title(), p.errno(), p.detail());
        }
    }

    /** BPF_MAP_LOOKUP_BATCH on an empty hash map: ENOENT (no more elements) means the command exists. */
    static Probe batchOps() {
        String f = KernelFeature.MAP_BATCH.title();
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 4, 1))) {
            m.lookupBatch(1);
            return Probe.yes(f);
        } catch (BpfException e) {
            return e.errno() == Errno.EINVAL ? Probe.no(f, e.errno(), "") : Probe.unknown(f, e.errno(), e.getMessage());
        }
    }

    /**
     * A socket filter with a sign-extending move ({@code r0 = (s8)r0}): the verifier of a kernel
     * before 6.6 rejects the instruction, with a log.
     */
    static Probe isaV4() {
        String f = KernelFeature.ISA_V4.title();
        List<Insn> insns = new Asm().mov64(Reg.R0, 1).movsx64(Reg.R0, Reg.R0, 8).exit().assemble();
        try (BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.SOCKET_FILTER, insns, "GPL"))) {
            return Probe.yes(f);
        } catch (VerifierException e) {
            return Probe.no(f, e.errno(), e.getMessage());
        } catch (BpfException e) {
            return Probe.unknown(f, e.errno(), e.getMessage());
        }
    }

    /** BPF_ENABLE_STATS for run time: statistics turned on and off again at once. */
    static Probe enableStats() {
        String f = KernelFeature.ENABLE_STATS.title();
        try (BpfStats s = BpfStats.enableRunTime()) {
            return Probe.yes(f);
        } catch (BpfException e) {
            return e.errno() == Errno.EINVAL ? Probe.no(f, Errno.EINVAL, "") : Probe.unknown(f, e.errno(), e.hint() == null ? "" : e.hint());
        }
    }

    /** BPF_LINK_CREATE with no program: EBADF means the command exists, EINVAL that it does not. */
    static Probe linkCreate() {
        String f = KernelFeature.LINK_CREATE.title();
        MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, -1);
        long r = Bpf.call(BpfCommand.LINK_CREATE.value(), a);
        if (r == -Errno.EBADF) return Probe.yes(f);
        if (r >= 0) Fd.adopt((int) r, "link create probe").close();
        return r == -Errno.EINVAL ? Probe.no(f, Errno.EINVAL, "") : Probe.unknown(f, (int) -r, "");
    }

    /**
     * A kprobe.multi link on a function that does not exist, as libbpf probes it: ESRCH (the
     * symbol lookup failed) means the kernel has kprobe.multi; EOPNOTSUPP that it was built
     * without CONFIG_FPROBE; EINVAL that it does not know the attach type (before 5.18).
     */
    static Probe kprobeMulti() {
        return multiProbe(KernelFeature.KPROBE_MULTI, AttachType.TRACE_KPROBE_MULTI);
    }

    /**
     * The same with attach type BPF_TRACE_KPROBE_SESSION: before 6.10 the kernel does not know
     * it and answers EINVAL.
     */
    static Probe kprobeSession() {
        return multiProbe(KernelFeature.KPROBE_SESSION, AttachType.TRACE_KPROBE_SESSION);
    }

    private static Probe multiProbe(KernelFeature feature, AttachType type) {
        String f = feature.title();
        ProgramSpec spec = ProgramSpec.of(ProgType.KPROBE, RETURN_0, "GPL").withExpectedAttachType(type);
        try (BpfProgram p = BpfProgram.load(spec); Arena arena = Arena.ofConfined()) {
            MemorySegment sym = arena.allocateFrom("bpf4j_probe_no_such_function");
            MemorySegment syms = arena.allocateFrom(ValueLayout.ADDRESS, sym);
            MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
            a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, p.fd().raw());
            a.set(JAVA_INT, Layouts.LinkCreate.ATTACH_TYPE, type.value());
            a.set(JAVA_INT, Layouts.LinkCreate.KPROBE_MULTI_CNT, 1);
            a.set(JAVA_LONG, Layouts.LinkCreate.KPROBE_MULTI_SYMS, syms.address());
            long r = Bpf.call(BpfCommand.LINK_CREATE.value(), a);
            if (r >= 0) {
                Fd.adopt((int) r, f + " probe").close();
                return Probe.yes(f);
            }
            return switch ((int) -r) {
                case Errno.ESRCH -> Probe.yes(f);
                case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> Probe.no(f, (int) -r, "built without CONFIG_FPROBE");
                case Errno.EINVAL -> Probe.no(f, Errno.EINVAL, "");
                default -> Probe.unknown(f, (int) -r, "");
            };
        } catch (BpfException e) {
            return e.errno() == Errno.EINVAL ? Probe.no(f, e.errno(), "") : Probe.unknown(f, e.errno(), e.getMessage());
        }
    }

    /** {@code r0 = 0; exit}. */
    static final List<Insn> RETURN_0 = new Asm().ret(0).assemble();

    /**
     * Loads {@code r0 = 0; exit} as the type. An unknown type fails with EINVAL before the
     * verifier runs, so with an empty log; types that need an attach target (tracing, EXT,
     * LSM, struct_ops) fail with a log that proves the kernel knows them.
     */
    public static Probe programType(ProgType type) {
        String f = type.kernelName();
        ProgramSpec spec = ProgramSpec.of(type, RETURN_0, "GPL");
        // Types that reject a load without their expected attach type (as bpftool sets them).
        io.bpf4j.AttachType eat = switch (type) {
            case CGROUP_SOCK_ADDR -> io.bpf4j.AttachType.CGROUP_INET4_CONNECT;
            case CGROUP_SOCKOPT -> io.bpf4j.AttachType.CGROUP_GETSOCKOPT;
            case SK_LOOKUP -> io.bpf4j.AttachType.SK_LOOKUP;
            case NETFILTER -> io.bpf4j.AttachType.NETFILTER;
            default -> null;
        };
        if (eat != null) spec = spec.withExpectedAttachType(eat);
        try (BpfProgram p = BpfProgram.load(spec)) {
            return Probe.yes(f);
        } catch (VerifierException e) {
            // A log means the type exists and the verifier ran (or its type checks did).
            return Probe.yes(f);
        } catch (BpfException e) {
            if (e.errno() == Errno.EINVAL) return Probe.no(f, e.errno(), "");
            if (e.errno() == Errno.E2BIG) return Probe.no(f, e.errno(), "kernel too old");
            return Probe.unknown(f, e.errno(), e.hint() == null ? "" : e.hint());
        }
    }

    /** Creates the smallest valid map of the type. */
    public static Probe mapType(MapType type) {
        String f = type.kernelName();
        MapSpec spec = switch (type) {
            case UNSPEC -> MapSpec.of(type, 4, 4, 1);
            case RINGBUF, USER_RINGBUF -> MapSpec.of(type, 0, 0, 4096);
            case QUEUE, STACK -> MapSpec.of(type, 0, 4, 1);
            case BLOOM_FILTER -> MapSpec.of(type, 0, 4, 1);
            case LPM_TRIE -> MapSpec.of(type, 8, 4, 1).withFlags(MapSpec.F_NO_PREALLOC);
            case STACK_TRACE -> MapSpec.of(type, 4, 8, 1);
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> MapSpec.of(type, 16, 8, 0);
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE ->
                    MapSpec.of(type, 4, 4, 0).withFlags(MapSpec.F_NO_PREALLOC);
            case ARENA -> MapSpec.of(type, 0, 0, 1).withFlags(MapSpec.F_MMAPABLE);
            case STRUCT_OPS -> null;
            default -> MapSpec.of(type, 4, 4, 1);
        };
        if (spec == null) return Probe.unknown(f, 0, "needs a kernel struct_ops type to probe");
        if (type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS) {
            MapSpec inner = MapSpec.of(MapType.ARRAY, 4, 4, 1);
            try {
                // Created on its own first, so that what create() answers is about the outer type.
                BpfMap.create(inner).close();
            } catch (BpfException e) {
                return Probe.unknown(f, e.errno(), "inner map: " + e.getMessage());
            }
            return create(f, spec.withInnerMap(inner));
        }
        boolean storage = type == MapType.SK_STORAGE || type == MapType.INODE_STORAGE
                || type == MapType.TASK_STORAGE || type == MapType.CGRP_STORAGE;
        if (storage) {
            // Local storage maps require BTF for the value (key "int", value a struct).
            try (BtfHandle btf = BtfHandle.load(storageBtf())) {
                return create(f, spec.withBtf(btf, 1, 2));
            } catch (BpfException e) {
                return Probe.unknown(f, e.errno(), "BTF: " + e.getMessage());
            }
        }
        return create(f, spec);
    }

    private static Probe create(String f, MapSpec spec) {
        try (BpfMap m = BpfMap.create(spec)) {
            return Probe.yes(f);
        } catch (BpfException e) {
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.E2BIG || e.errno() == Errno.ENOTSUPP
                    || e.errno() == Errno.EOPNOTSUPP) return Probe.no(f, e.errno(), "");
            return Probe.unknown(f, e.errno(), e.hint() == null ? "" : e.hint());
        }
    }

    /** BTF with [1] int (4 bytes, signed) and [2] struct val { int cnt; }. */
    static byte[] storageBtf() {
        io.bpf4j.btf.BtfBuilder b = new io.bpf4j.btf.BtfBuilder();
        int intId = b.addInt("int", 4, 1);
        b.addStruct("val", 4, java.util.List.of(new io.bpf4j.btf.BtfType.Member("cnt", intId, 0, 0)));
        return b.toBytes();
    }

    /**
     * Whether a program type may call a helper: a program calling it with zeroed arguments
     * is loaded and the verifier's answer read. "invalid func", "unknown func" and "cannot use
     * helper" mean no;
     * any other outcome means the helper exists for that type.
     */
    public static Probe helper(ProgType type, int helperId, String helperName) {
        String f = type.kernelName() + " " + helperName;
        Asm a = new Asm();
        for (Reg r : new Reg[] {Reg.R1, Reg.R2, Reg.R3, Reg.R4, Reg.R5}) a.mov64(r, 0);
        a.insn(new Insn.Call(CallKind.HELPER, helperId, 0)).ret(0);
        try (BpfProgram p = BpfProgram.load(ProgramSpec.of(type, a.assemble(), "GPL"))) {
            return Probe.yes(f);
        } catch (VerifierException e) {
            String log = e.log();
            // Older kernels say "unknown func", newer "program of this type cannot use helper".
            if (log.contains("invalid func") || log.contains("unknown func")
                    || log.contains("program of this type cannot use helper")) return Probe.no(f, e.errno(), "");
            return Probe.yes(f);
        } catch (BpfException e) {
            return Probe.unknown(f, e.errno(), e.hint() == null ? "" : e.hint());
        }
    }
}
