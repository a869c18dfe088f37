package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-B05, BTF_LOAD, EPERM: {@code bpf_btf_load()}: {@code if (!bpf_capable()) return -EPERM}. */
final class BtfNeedsCapBpf extends BaseRule {
    BtfNeedsCapBpf() {
        super("R-B05", on(BpfCommand.BTF_LOAD), Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        if (!o.process().known() || o.process().bpfCapable()) return null;
        return cause("loading BTF needs CAP_BPF, and your process does not have it (libbpf then says \"Kernel doesn't support BTF\")",
                "run with CAP_BPF, or load without BTF");
    }
}
