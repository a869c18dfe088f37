package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.EnumSet;
import java.util.Set;

/**
 * R-L16, PROG_LOAD, EINVAL: BPF_F_SLEEPABLE on a program type that cannot sleep ("Only
 * fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable").
 */
final class SleepableNotAllowed extends BaseRule {
    static final Set<ProgType> MAY_SLEEP = EnumSet.of(ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.KPROBE,
            ProgType.SYSCALL, ProgType.EXT);

    SleepableNotAllowed() {
        super("R-L16", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ProgType t = ProgType.of(o.call().u32("prog_type"));
        if ((o.call().u32("prog_flags") & Flags.SLEEPABLE) == 0) return null;
        boolean said = o.verifier() != null && o.verifier().reason().contains("sleepable");
        if (!said && (t == null || MAY_SLEEP.contains(t))) return null;
        return cause("BPF_F_SLEEPABLE is set, but " + ProgType.nameOf(o.call().u32("prog_type")) + " programs cannot sleep"
                        + (said ? " (\"" + o.verifier().reason() + "\")" : ""),
                "drop BPF_F_SLEEPABLE, or use a hook that may sleep (fentry/fexit, lsm, iter, uprobe, struct_ops: libbpf's \".s\" sections)");
    }
}
