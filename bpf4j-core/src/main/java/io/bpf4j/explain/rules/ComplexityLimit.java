package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L09, PROG_LOAD, E2BIG: {@code do_check()} explored more than 1,000,000 instructions ("BPF
 * program is too large"), or a jump sequence was too complex.
 */
final class ComplexityLimit extends BaseRule {
    ComplexityLimit() {
        super("R-L09", on(BpfCommand.PROG_LOAD), Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        if (o.verifier() == null) return null;
        String r = o.verifier().reason();
        if (!r.startsWith("BPF program is too large") && !r.contains("is too complex")) return null;
        return cause("the verifier gave up: \"" + r + "\"; it explores every path, and loops and branches multiply them",
                "bound loops with bpf_loop() (5.17+) or open-coded iterators (6.4+), cut branches, or split the program");
    }
}
