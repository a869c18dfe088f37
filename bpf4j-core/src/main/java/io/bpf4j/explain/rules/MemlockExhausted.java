package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G08, EPERM: before 5.11 maps and programs were charged to RLIMIT_MEMLOCK
 * ({@code bpf_charge_memlock()}, {@code __bpf_prog_charge()}); a small limit fails creation with
 * EPERM. Memory cgroups replaced it in 5.11 ({@code 3ac1f01b43b6}, {@code 80ee81e0403c}).
 */
final class MemlockExhausted extends BaseRule {
    MemlockExhausted() {
        super("R-G08", on(BpfCommand.MAP_CREATE, BpfCommand.PROG_LOAD, BpfCommand.BTF_LOAD), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        long limit = o.process().memlockLimit();
        if (!Boolean.TRUE.equals(o.kernel().memlockCharged()) || limit == ProcessFacts.UNLIMITED || limit < 0) return null;
        return cause("this kernel charges BPF " + (o.call().is(BpfCommand.MAP_CREATE) ? "maps" : "programs")
                        + " to RLIMIT_MEMLOCK, and your process's limit is " + limit + " bytes; the new object does not fit",
                "raise RLIMIT_MEMLOCK before creating BPF objects (setrlimit(RLIMIT_MEMLOCK, RLIM_INFINITY), as libbpf's "
                        + "libbpf_set_memlock_rlim() does; ulimit -l unlimited)",
                o.call().is(BpfCommand.MAP_CREATE) ? KnownChanges.MAP_MEMCG : KnownChanges.PROG_MEMCG, "before Linux 5.11");
    }
}
