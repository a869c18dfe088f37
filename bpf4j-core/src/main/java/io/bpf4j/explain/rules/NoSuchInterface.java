package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-K09, LINK_CREATE for XDP/tcx/netkit, EINVAL/ENODEV: {@code dev_get_by_index()} found no interface with that index. */
final class NoSuchInterface extends BaseRule {
    NoSuchInterface() {
        super("R-K09", on(BpfCommand.LINK_CREATE), Errno.EINVAL, Errno.ENODEV);
    }

    @Override
    Cause check(Observation o) {
        AttachType a = AttachType.of(o.call().u32("attach_type"));
        if (a != AttachType.XDP && a != AttachType.TCX_INGRESS && a != AttachType.TCX_EGRESS) return null;
        if (!Boolean.FALSE.equals(o.fact(Fact.IFINDEX_EXISTS, Boolean.class).orElse(null))) return null;
        return cause("there is no network interface with index " + o.call().u32("target_fd") + " in your process's network namespace",
                "pass an existing ifindex (if_nametoindex(), ip link) from the namespace the program runs in");
    }
}
