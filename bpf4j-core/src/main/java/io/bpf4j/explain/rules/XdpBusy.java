package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-K08, LINK_CREATE BPF_XDP, EBUSY/EEXIST: {@code dev_xdp_attach()}: the interface already has
 * an XDP program (through a link, or through netlink), in this mode.
 */
final class XdpBusy extends BaseRule {
    XdpBusy() {
        super("R-K08", on(BpfCommand.LINK_CREATE), Errno.EBUSY, Errno.EEXIST);
    }

    @Override
    Cause check(Observation o) {
        if (o.call().u32("attach_type") != AttachType.XDP.value()) return null;
        String there = o.fact(Fact.XDP_ATTACHED, String.class).orElse(null);
        return cause("interface " + o.call().u32("target_fd") + " already has an XDP program attached"
                        + (there != null ? " (" + there + ")" : "") + ", and a BPF link cannot replace it",
                "detach the existing program (close its link, or ip link set dev DEV xdp off), or update its link with BPF_LINK_UPDATE");
    }
}
