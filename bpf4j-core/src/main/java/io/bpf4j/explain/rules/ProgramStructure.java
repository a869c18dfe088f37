package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L02, PROG_LOAD, EINVAL: the control-flow check ({@code check_cfg()}) refused the
 * instruction graph: unreachable instructions, jumps out of the program, loops the verifier
 * cannot bound, a last instruction that is not an exit.
 */
final class ProgramStructure extends BaseRule {
    ProgramStructure() {
        super("R-L02", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if (o.verifier() == null) return null;
        String r = o.verifier().reason();
        if (!(r.startsWith("unreachable insn") || r.startsWith("jump out of range") || r.startsWith("back-edge from insn")
                || r.startsWith("last insn is not an exit or jmp") || r.startsWith("infinite loop detected")
                || r.startsWith("jump into the middle of ldimm64"))) return null;
        return cause("the program's control flow is refused: \"" + r + "\"",
                "remove dead code and out-of-range jumps (usually a loader or assembler bug, or a missing relocation); "
                        + "bound loops so the verifier can see them end");
    }
}
