package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.Set;

/**
 * R-L05, PROG_LOAD, EINVAL: a GPL-only helper from a program whose license string is not
 * GPL-compatible ({@code license_is_gpl_compatible()}; "cannot call GPL-restricted function from
 * non-GPL compatible program").
 */
final class GplOnlyHelper extends BaseRule {
    static final Set<String> GPL = Set.of("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");

    GplOnlyHelper() {
        super("R-L05", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        String license = o.string("license").orElse(null);
        boolean said = o.verifier() != null && o.verifier().reason().contains("GPL-restricted function");
        if (!said) return null;
        return cause("the program calls a GPL-only helper, and its license string"
                        + (license != null ? " \"" + license + "\"" : "") + " is not GPL-compatible",
                "declare a GPL-compatible license, e.g. char LICENSE[] SEC(\"license\") = \"Dual BSD/GPL\";");
    }
}
