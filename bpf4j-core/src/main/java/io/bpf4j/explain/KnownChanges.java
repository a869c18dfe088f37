package io.bpf4j.explain;

import java.util.List;
import java.util.Optional;

/**
 * The kernel changes behind the tail-call/freplace issues and behind explain's rules, from the
 * stable changelogs, push mails and sources read for this project (see
 * {@code shared/reference/kernel-facts.md}). Versions are context for the reader; verdicts come
 * from what the running kernel does.
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

    /** Unprivileged BPF: from here on only MAP_CREATE and PROG_LOAD are refused, not every command. */
    public static final KernelChange UNPRIV_REFINED = new KernelChange("c8644cd0efe7",
            "bpf: refine kernel.unprivileged_bpf_disabled behaviour", "v5.19", List.of(),
            "with kernel.unprivileged_bpf_disabled set, every bpf() command of an unprivileged process fails with "
                    + "EPERM, even a lookup on an inherited map fd");

    public static final KernelChange UNPRIV_CHECKS_MOVED = new KernelChange("1d28635abcf1",
            "bpf: Move unprivileged checks into map_create() and bpf_prog_load()", "v6.5", List.of("6.4.y"),
            "the unprivileged check runs in __sys_bpf() before the command's own checks");

    public static final KernelChange PROG_MEMCG = new KernelChange("3ac1f01b43b6",
            "bpf: Eliminate rlimit-based memory accounting for bpf progs", "v5.11", List.of(),
            "programs and maps are charged to RLIMIT_MEMLOCK, and a low limit makes loads fail with EPERM");

    public static final KernelChange MAP_MEMCG = new KernelChange("80ee81e0403c",
            "bpf: Eliminate rlimit-based memory accounting infra for bpf maps", "v5.11", List.of(),
            "maps are charged to RLIMIT_MEMLOCK, and a low limit makes map creation fail with EPERM");

    public static final KernelChange MAP_PERMS_CENTRAL = new KernelChange("6c3eba1c5e28",
            "bpf: Centralize permissions checks for all BPF map types", "v6.5", List.of(),
            "each map type checks capabilities in its own allocation path");

    public static final KernelChange FREEZE_NEEDS_WRITE = new KernelChange("c4c84f6fb2c4",
            "bpf: drop unnecessary bpf_capable() check in BPF_MAP_FREEZE command", "v6.5", List.of(),
            "freezing needs CAP_BPF, and freezing a frozen map gives EBUSY; from here on a freeze needs a "
                    + "writable fd and a frozen map gives EPERM");

    public static final KernelChange LOG_NO_MIN_SIZE = new KernelChange("03cc3aa6a533",
            "bpf: Remove minimum size restrictions on verifier log buffer", "v6.4", List.of(),
            "a verifier log buffer under 128 bytes, or a log level without a buffer, fails the load with EINVAL");

    public static final KernelChange ROTATING_LOG = new KernelChange("121664093803",
            "bpf: Switch BPF verifier log to be a rotating log by default", "v6.4", List.of(),
            "a log buffer that is too small keeps the beginning of the log, not its end (the reason line is lost)");

    public static final KernelChange LOG_TRUE_SIZE = new KernelChange("47a71c1f9af0",
            "bpf: Add log_true_size output field to return necessary log buffer size", "v6.4", List.of(),
            "the kernel does not say how large a log buffer would have been needed");

    public static final KernelChange UNINIT_STACK = new KernelChange("6715df8d5d24",
            "bpf: Allow reads from uninit stack", "v6.3", List.of("6.1.y", "5.15.163", "5.10.y"),
            "a privileged program that reads uninitialised stack is refused (invalid read from stack)");

    public static final KernelChange HELPER_MESSAGE = new KernelChange("786bf0e7e2ec",
            "bpf: improve error message for unsupported helper", "v6.10", List.of(),
            "a helper the program type may not call is reported as \"unknown func\", like a helper that does not exist");

    public static final KernelChange NULLNESS_ELISION = new KernelChange("d2102f2f5d75",
            "bpf: verifier: Support eliding map lookup nullness", "v6.14", List.of(),
            "an array lookup with a constant in-range key still needs a NULL check (R0 invalid mem access "
                    + "'map_value_or_null')");

    public static final List<KernelChange> ALL = List.of(FREPLACE_INTRODUCED, RESOLVE_FEXT_TYPE, RESOLVE_NULL_DST_PROG,
            UPDATE_ATTACHED_FREPLACE, FREPLACE_TAILCALL_LOOP, CROSS_HOOK_TAILCALL, EXPECTED_ATTACH_TYPE, TAILCALL_HIERARCHY,
            EXT_CHANGES_PKT_DATA, TAILCALL_CHANGES_PKT_DATA, UNPRIV_REFINED, UNPRIV_CHECKS_MOVED, PROG_MEMCG, MAP_MEMCG,
            MAP_PERMS_CENTRAL, FREEZE_NEEDS_WRITE, LOG_NO_MIN_SIZE, ROTATING_LOG, LOG_TRUE_SIZE, UNINIT_STACK, HELPER_MESSAGE,
            NULLNESS_ELISION);

    /** Looks a change up by a hash prefix of at least 7 digits. */
    public static Optional<KernelChange> byCommit(String prefix) {
        if (prefix == null || prefix.length() < 7) return Optional.empty();
        String p = prefix.toLowerCase();
        return ALL.stream().filter(c -> c.commit().startsWith(p)).findFirst();
    }
}
