package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.EnumSet;
import java.util.Set;

/**
 * R-T02, PROG_TEST_RUN, EINVAL: packet programs need at least an Ethernet header (14 bytes,
 * {@code bpf_test_init()}), at most a page; ctx_in and ctx_size_in come together.
 */
final class TestRunData extends BaseRule {
    static final Set<ProgType> PACKET = EnumSet.of(ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP,
            ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL);

    TestRunData() {
        super("R-T02", on(BpfCommand.PROG_TEST_RUN), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if ((o.call().get("ctx_in") == 0) != (o.call().u32("ctx_size_in") == 0))
            return cause("ctx_in and ctx_size_in must be given together", "pass both, or neither");
        ObjectSnapshot.ProgObject p = o.prog("prog_fd").orElse(null);
        ProgType t = p == null ? null : ProgType.of(p.type());
        long in = Integer.toUnsignedLong(o.call().u32("data_size_in"));
        if (t == null || !PACKET.contains(t) || (in >= 14 && in <= 4096 - 256 - 320)) return null;
        return cause(name(p) + " runs on a packet, and data_size_in " + in + " is " + (in < 14 ? "shorter than an Ethernet header (14 bytes)"
                : "longer than fits a page with head- and tailroom"), "pass a packet of at least 14 bytes and at most about 3.5 KiB");
    }
}
