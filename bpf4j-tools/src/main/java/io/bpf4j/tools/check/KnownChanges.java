package io.bpf4j.tools.check;

import java.util.List;
import java.util.Optional;

/**
 * The kernel changes behind the tail-call/freplace issues, from the stable changelogs and
 * sources read for this project (see {@code shared/reference/kernel-facts.md}). Versions are
 * context for the reader; verdicts come from what the running kernel does.
 */
public final class KnownChanges {
    private KnownChanges() {}

    /** The first kernel with program extensions; every freplace issue needs at least this. */
    public static final KernelChange FREPLACE_INTRODUCED = new KernelChange("be8704ff07d2374bcc5c675526f95e70c6459683",
            "bpf: Introduce dynamic program extensions", "v5.6", List.of(),
            "BPF_PROG_TYPE_EXT does not exist");

    public static final KernelChange RESOLVE_FEXT_TYPE = new KernelChange("1c123c567fb138ebd187480b7fc0610fcb0851f5",
            "bpf: Resolve fext program type when checking map compatibility", "v6.2", List.of("6.1.4", "6.0.y"),
            "an freplace program that uses a prog array claims the owner as BPF_PROG_TYPE_EXT; programs of the "
                    + "target's type are then refused with EINVAL");

    public static final KernelChange RESOLVE_NULL_DST_PROG = new KernelChange("f7866c358733",
            "bpf: Fix null pointer dereference in resolve_prog_type() for BPF_PROG_TYPE_EXT", "v6.11",
            List.of("6.1.103"),
            "resolving the type of an attached freplace program dereferences a NULL dst_prog (kernel Oops)");

    public static final KernelChange UPDATE_ATTACHED_FREPLACE = new KernelChange("fdad456cbcca739bae1849549c7a999857c56f88",
            "bpf: Fix updating attached freplace prog in prog_array map", "v6.11", List.of("6.1.107", "6.10.7"),
            "putting an attached freplace program into a prog array oopses (before f7866c358733) or is refused "
                    + "with EINVAL (after it)");

    public static final KernelChange FREPLACE_TAILCALL_LOOP = new KernelChange("d6083f040d5d8f8d748462c77e90547097df936e",
            "bpf: Prevent tailcall infinite loop caused by freplace", "v6.13", List.of("6.1.191", "6.12.5"),
            "freplace programs can be tail callees, an extended program can be a tail callee and a tail callee can "
                    + "be extended, which allows an endless tail-call loop");

    public static final KernelChange CROSS_HOOK_TAILCALL = new KernelChange("28ead3eaabc16ecc907cfb71876da028080f6356",
            "bpf: Prevent tail call between progs attached to different hooks", "v6.12", List.of("6.1.135", "6.11.4"),
            "tracing programs attached to functions with different prototypes can tail-call each other "
                    + "(CVE-2024-50063)");

    public static final KernelChange EXPECTED_ATTACH_TYPE = new KernelChange("4540aed51b12bc13364149bf95f6ecef013197c0",
            "bpf: Enforce expected_attach_type for tailcall compatibility", "v6.18", List.of("6.1.156", "6.12.53", "6.17.y"),
            "programs with different expected_attach_type (e.g. XDP and XDP devmap programs) share a prog array, "
                    + "so a callee runs with a context its verifier did not assume");

    /** x86-64 JIT; absent from Debian 6.1.192 (no tail_call_cnt_ptr in its bpf_jit_comp.c), present in 6.12.117. */
    public static final KernelChange TAILCALL_HIERARCHY = new KernelChange("116e04ba1459fc08f80cf27b8c9f9f188be0fcb2",
            "bpf, x64: Fix tailcall hierarchy", "v6.12", List.of(),
            "the tail-call counter is copied into each subprogram frame, so tail calls made from subprograms are not "
                    + "all counted and a program can exceed MAX_TAIL_CALL_CNT (33) many times over");

    /**
     * With {@link #TAILCALL_CHANGES_PKT_DATA}, refuses the tailcall-in-freplace demo's extension at
     * load: seen on Debian 6.12.117 and 7.3.4, not on 6.1.192 or 5.10.223 (bpf4j scenario, lab).
     */
    public static final KernelChange EXT_CHANGES_PKT_DATA = new KernelChange("81f6d0530ba031b5f038a091619bf2ff29568852",
            "bpf: check changes_pkt_data property for extension programs", "v6.13", List.of("6.12.y"),
            "an extension that changes packet data can replace a function that does not, so the caller keeps "
                    + "packet pointers the extension invalidated");

    public static final KernelChange TAILCALL_CHANGES_PKT_DATA = new KernelChange("1a4607ffba35bf2a630aab299e34dd3f6e658d70",
            "bpf: consider that tail calls invalidate packet pointers", "v6.13", List.of("6.12.y"),
            "packet pointers stay valid across bpf_tail_call although the callee may have changed the packet");

    public static final List<KernelChange> ALL = List.of(FREPLACE_INTRODUCED, RESOLVE_FEXT_TYPE, RESOLVE_NULL_DST_PROG,
            UPDATE_ATTACHED_FREPLACE, FREPLACE_TAILCALL_LOOP, CROSS_HOOK_TAILCALL, EXPECTED_ATTACH_TYPE, TAILCALL_HIERARCHY,
            EXT_CHANGES_PKT_DATA, TAILCALL_CHANGES_PKT_DATA);

    /** Looks a change up by a hash prefix of at least 7 digits. */
    public static Optional<KernelChange> byCommit(String prefix) {
        if (prefix == null || prefix.length() < 7) return Optional.empty();
        String p = prefix.toLowerCase();
        return ALL.stream().filter(c -> c.commit().startsWith(p)).findFirst();
    }
}
