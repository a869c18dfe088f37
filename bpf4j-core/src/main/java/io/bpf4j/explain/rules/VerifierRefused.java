package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.VerifierReport;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L01, PROG_LOAD, EACCES (and EINVAL with a reason no narrower rule names): the verifier could
 * not prove the program safe. The reason line of its log ({@code kernel/bpf/verifier.c}'s
 * {@code verbose()}) and the instruction it was at say where.
 */
final class VerifierRefused extends BaseRule {
    VerifierRefused() {
        super("R-L01", on(BpfCommand.PROG_LOAD), Errno.EACCES, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        VerifierReport v = o.verifier();
        if (v == null || v.clean()) return null;
        String reason = v.reason();
        if (reason.isEmpty()) return null;
        int at = v.insnIndex();
        String where = at >= 0 ? " at instruction " + at + (v.instruction() != null ? " (" + v.instruction() + ")" : "") : "";
        String text = "the verifier refused the program: \"" + reason + "\"" + where;
        if (reason.contains("map_value_or_null"))
            return cause(text + ": a pointer from bpf_map_lookup_elem() is used before checking it for NULL",
                    "check the lookup's result for NULL before using it (Linux 6.14+ elides the check for arrays with a constant "
                            + "in-range key; older kernels do not)", KnownChanges.NULLNESS_ELISION, null);
        if (reason.contains("!read_ok"))
            return cause(text + ": a register is read before anything was written to it", "initialise the register on every path to this instruction");
        if (reason.contains("invalid bpf_context access"))
            return cause(text + ": the access is outside the context struct this program type gets",
                    "read only the context fields of this program type (e.g. struct __sk_buff for socket filters), at their offsets and sizes");
        if (reason.contains("invalid write to stack") || reason.contains("invalid stack"))
            return cause(text + ": a BPF program's stack is 512 bytes", "use less stack (a per-CPU array as scratch space for large buffers)");
        if (reason.contains("write into map forbidden"))
            return cause(text + ": the map is read-only for programs (BPF_F_RDONLY_PROG, or a frozen .rodata)",
                    "do not write into read-only maps from the program; use a writable map (.data, .bss)");
        if (reason.contains("invalid read from stack"))
            return cause(text + ": the program reads stack it never wrote", "initialise the stack slot before reading it "
                    + "(privileged loads may read uninitialised stack from Linux 6.3 on, and on kernels with the backport)",
                    KnownChanges.UNINIT_STACK, null);
        if (reason.contains("invalid access to packet") || reason.contains("invalid access to map value")
                || reason.contains("outside of the allowed memory range") || reason.contains("unbounded memory access"))
            return cause(text + ": the verifier cannot prove the access within bounds",
                    "compare the pointer (or index) against the end of the packet/value before the access, on every path");
        return cause(text, "change the program so the verifier can prove the access at that instruction safe");
    }
}
