package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.Map;

/**
 * R-L17, PROG_LOAD, EINVAL with a clean verifier log: after verification,
 * {@code bpf_check_tail_call()} refuses a program that uses a prog array owned by another
 * program type (or JIT state). The log ends in "processed N insns", so a log alone never says why.
 */
final class TailCallOwnerAtLoad extends BaseRule {
    TailCallOwnerAtLoad() {
        super("R-L17", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if (o.verifier() != null && !o.verifier().clean()) return null;
        int type = o.call().u32("prog_type");
        for (Map.Entry<String, ObjectSnapshot> e : o.objects().entrySet()) {
            if (!e.getKey().startsWith("insn_map:") || !(e.getValue() instanceof ObjectSnapshot.MapObject m)) continue;
            if (!m.isType(MapType.PROG_ARRAY) || !m.owned() || m.ownerProgType() == type) continue;
            boolean ext = type == ProgType.EXT.value() || m.ownerProgType() == ProgType.EXT.value();
            return cause("the verifier accepted the program, then the tail-call check refused it: it uses " + name(m) + ", owned by "
                            + ProgType.nameOf(m.ownerProgType()) + " programs, and it is " + ProgType.nameOf(type),
                    "give each program type its own prog array, or load the programs in the order that makes the owner the type you want",
                    ext ? KnownChanges.RESOLVE_FEXT_TYPE : null, ext ? "before Linux 6.2 an freplace program counts as BPF_PROG_TYPE_EXT here" : null);
        }
        return null;
    }
}
