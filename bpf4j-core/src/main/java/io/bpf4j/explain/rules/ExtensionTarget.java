package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L18, PROG_LOAD/LINK_CREATE/RAW_TRACEPOINT_OPEN, EINVAL/ENOENT/ESRCH: the attach target of a
 * tracing or extension program is refused ({@code bpf_check_attach_target()}'s log lines).
 */
final class ExtensionTarget extends BaseRule {
    ExtensionTarget() {
        super("R-L18", on(BpfCommand.PROG_LOAD, BpfCommand.LINK_CREATE, BpfCommand.RAW_TRACEPOINT_OPEN),
                Errno.EINVAL, Errno.ENOENT, Errno.ESRCH, Errno.EBUSY);
    }

    @Override
    Cause check(Observation o) {
        if (o.verifier() == null) return null;
        String r = o.verifier().reason();
        String q = "\"" + r + "\"";
        if (r.contains("Cannot replace static functions"))
            return cause("freplace can only replace global functions, and the target function is static: " + q,
                    "make the target function global and __noinline (not static) in the target program");
        if (r.contains("should be JITed") || r.contains("only JITed progs"))
            return cause("the target program is not JIT-compiled: " + q, "enable the JIT (net.core.bpf_jit_enable=1) and load the target again");
        if (r.contains("Cannot recursively attach") || r.contains("Cannot extend fentry/fexit"))
            return cause("tracing and freplace programs cannot attach to each other in a chain: " + q, "attach to the original program instead");
        if (r.contains("Cannot replace kernel functions"))
            return cause("freplace programs replace functions of BPF programs, not kernel functions: " + q, "use fentry/fexit/fmod_ret for kernel functions");
        if (r.contains("annotated with BTF") || r.contains("is not a function"))
            return cause("the target has no BTF for the function: " + q, "load the target program with BTF (func_info), and pass a BTF id of a FUNC");
        if (r.contains("cannot be found"))
            return cause("the kernel has no address for the attach target: " + q, "attach to a function the kernel has (check kallsyms; it may be inlined)");
        if (r.contains("changes packet data, while original does not") && InsnScan.callsHelper(o.memory("insns").orElse(null), 12))
            return cause("the extension tail-calls, and a tail call counts as changing packet data (1a4607ffba35), but the function it "
                            + "replaces does not change it: " + q,
                    "do not tail-call from the extension (call the target directly), or make the replaced function change packet data too",
                    KnownChanges.EXT_CHANGES_PKT_DATA, "Linux 6.13 and later (6.12.y)");
        if (r.contains("changes packet data, while original does not"))
            return cause("the extension may change packet data but the function it replaces does not: " + q,
                    "do not call packet-changing helpers (or tail calls) in the extension, or make the target also change packet data",
                    KnownChanges.EXT_CHANGES_PKT_DATA, "Linux 6.13 and later (6.12.y)");
        if (r.contains("is not supported") && r.contains("Target program type"))
            return cause("this target program type cannot be extended or traced: " + q, "attach to a program type the kernel supports as a target");
        return null;
    }
}
