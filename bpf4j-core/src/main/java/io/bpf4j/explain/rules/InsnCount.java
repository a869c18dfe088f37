package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L08, PROG_LOAD, E2BIG: {@code insn_cnt == 0} or over the limit: BPF_COMPLEXITY_LIMIT_INSNS
 * (1,000,000) with CAP_BPF, BPF_MAXINSNS (4096) without.
 */
final class InsnCount extends BaseRule {
    InsnCount() {
        super("R-L08", on(BpfCommand.PROG_LOAD), Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        long n = Integer.toUnsignedLong(o.call().u32("insn_cnt"));
        boolean cap = !o.process().known() || o.process().bpfCapable();
        long limit = cap ? 1_000_000 : 4096;
        if (n != 0 && n <= limit) return null;
        return cause(n == 0 ? "insn_cnt is 0: a program needs at least one instruction"
                        : "insn_cnt " + n + " is over the limit of " + limit + (cap ? "" : " for a process without CAP_BPF"),
                n == 0 ? "pass the number of 8-byte instructions" : "split the program (subprograms, tail calls)" + (cap ? "" : ", or run with CAP_BPF (1,000,000)"));
    }
}
