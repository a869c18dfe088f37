package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M14, prog array update, EINVAL: the program is not compatible with the array's owner
 * ({@code prog_fd_array_get_ptr()} → {@code __bpf_prog_map_compatible()}): the first program that
 * used the array or was stored in it fixed its type and JIT state, and every later program must
 * match. The story of this project: an freplace program that uses the array claims it as
 * BPF_PROG_TYPE_EXT on kernels without {@code 1c123c567fb1} (before 6.2; 6.1.4+ has it), and
 * nothing of the target's type fits any more.
 */
final class ProgArrayOwner extends BaseRule {
    ProgArrayOwner() {
        super("R-M14", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        ObjectSnapshot.ProgObject p = o.prog("value").orElse(null);
        if (m == null || p == null || !m.isType(MapType.PROG_ARRAY) || !m.owned() || p.isType(ProgType.EXT)) return null;
        String owner = ProgType.nameOf(m.ownerProgType());
        if (m.ownerProgType() == ProgType.EXT.value())
            return cause(name(m) + " is owned by " + owner + ": an freplace program that uses it claimed it when it loaded, "
                            + "and this kernel records the extension's own type instead of its target's, so no "
                            + p.typeName() + " program such as " + name(p) + " can be stored in it",
                    "store a program of the target's type in the array before loading the freplace program (the owner is "
                            + "then that type), or use a kernel with the fix (6.2+, 6.1.4+)",
                    KnownChanges.RESOLVE_FEXT_TYPE, "before Linux 6.2 (6.1.4+ has the fix)");
        if (m.ownerProgType() != p.type())
            return cause(name(m) + " is owned by " + owner + " programs (the first program that used it or was stored in it), and "
                            + name(p) + " is not one: a prog array holds programs of one type only",
                    "store only " + owner + " programs in this array; give " + p.typeName() + " programs a prog array of their own");
        if (m.ownerJited() != null && m.ownerJited() != p.jited())
            return cause(name(m) + "'s owner was " + (m.ownerJited() ? "" : "not ") + "JIT-compiled and " + name(p) + " is "
                            + (p.jited() ? "" : "not ") + ": interpreted and JITed programs cannot tail-call each other",
                    "load all programs of the array with the same net.core.bpf_jit_enable setting");
        String eat = p.expectedAttachType() >= 0 ? " (" + name(p) + " was loaded with expected_attach_type "
                + AttachType.nameOf(p.expectedAttachType()) + ")" : "";
        return cause(name(m) + " is owned by " + owner + " programs and " + name(p) + " is one too, but the kernel also compares "
                        + "what fdinfo does not show: expected_attach_type" + eat + " (6.18+, 6.1.156+), BPF_F_XDP_HAS_FRAGS, "
                        + "sleepable, cgroup storage, and for tracing programs the attach target's prototype",
                "load the programs you put in one prog array with the same expected_attach_type and flags",
                KnownChanges.EXPECTED_ATTACH_TYPE, null);
    }
}
