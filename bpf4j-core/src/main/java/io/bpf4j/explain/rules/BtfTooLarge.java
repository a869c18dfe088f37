package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-B03, BTF_LOAD, E2BIG: {@code btf_parse()}: {@code btf_size > BTF_MAX_SIZE} (16 MiB). */
final class BtfTooLarge extends BaseRule {
    BtfTooLarge() {
        super("R-B03", on(BpfCommand.BTF_LOAD), Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        long size = Integer.toUnsignedLong(o.call().u32("btf_size"));
        if (size <= 16L << 20) return null;
        return cause("btf_size " + size + " is over the kernel's limit of 16 MiB for one BTF object",
                "strip unused types (bpftool gen min_core_btf) or split the object");
    }
}
