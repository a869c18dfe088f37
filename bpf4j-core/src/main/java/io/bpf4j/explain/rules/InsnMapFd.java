package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.Map;

/**
 * R-L15, PROG_LOAD, EBADF/EINVAL: an {@code ld_imm64} map reference carries an fd that is not a
 * map of the process ({@code resolve_pseudo_ldimm64()}: "fd %d is not pointing to valid bpf_map").
 */
final class InsnMapFd extends BaseRule {
    InsnMapFd() {
        super("R-L15", on(BpfCommand.PROG_LOAD), Errno.EBADF, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        for (Map.Entry<String, ObjectSnapshot> e : o.objects().entrySet()) {
            if (!e.getKey().startsWith("insn_map:") || e.getValue() instanceof ObjectSnapshot.MapObject) continue;
            String insn = e.getKey().substring("insn_map:".length());
            return cause("instruction " + insn + " loads a map by fd " + e.getValue().fd() + ", which is " + kind(e.getValue()),
                    "relocate map references to the fds of maps you created, after creating them, and keep those fds open until the load");
        }
        if (o.verifier() != null && o.verifier().reason().matches("fd -?\\d+ is not pointing to valid bpf_map"))
            return cause("the program loads a map by an fd that is not a map: \"" + o.verifier().reason() + "\"",
                    "relocate map references to the fds of maps you created, after creating them");
        return null;
    }
}
