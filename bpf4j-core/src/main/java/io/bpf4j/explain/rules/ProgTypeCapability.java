package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L14, PROG_LOAD, EPERM: {@code bpf_prog_load()}: types other than socket filters and
 * cgroup_skb need CAP_BPF; networking types CAP_NET_ADMIN too, tracing types CAP_PERFMON
 * (CAP_SYS_ADMIN covers all).
 */
final class ProgTypeCapability extends BaseRule {
    ProgTypeCapability() {
        super("R-L14", on(BpfCommand.PROG_LOAD), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        ProcessFacts p = o.process();
        ProgType t = ProgType.of(o.call().u32("prog_type"));
        if (!p.known() || t == null || p.has(ProcessFacts.CAP_SYS_ADMIN)) return null;
        String missing = null;
        if (!p.has(ProcessFacts.CAP_BPF) && t != ProgType.SOCKET_FILTER && t != ProgType.CGROUP_SKB) missing = "CAP_BPF";
        else if (Families.NET_ADMIN.contains(t) && !p.has(ProcessFacts.CAP_NET_ADMIN)) missing = "CAP_NET_ADMIN";
        else if (Families.PERFMON.contains(t) && !p.has(ProcessFacts.CAP_PERFMON)) missing = "CAP_PERFMON";
        if (missing == null) return null;
        return cause("loading " + t.kernelName() + " programs needs " + missing + ", and your process does not have it",
                "grant CAP_BPF" + (Families.NET_ADMIN.contains(t) ? " and CAP_NET_ADMIN" : "")
                        + (Families.PERFMON.contains(t) ? " and CAP_PERFMON" : "") + " (or CAP_SYS_ADMIN), or use a BPF token");
    }
}
