package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-B02, BTF_LOAD, ENOTSUPP (524): {@code btf_parse_hdr()}: "Unsupported version" or "Unsupported flags". */
final class BtfVersion extends BaseRule {
    BtfVersion() {
        super("R-B02", on(BpfCommand.BTF_LOAD), Errno.ENOTSUPP);
    }

    @Override
    Cause check(Observation o) {
        byte[] b = o.memory("btf").orElse(null);
        if (b == null || b.length < 4 || ((b[2] & 0xff) == 1 && b[3] == 0)) return null;
        return cause("the BTF header says version " + (b[2] & 0xff) + ", flags " + (b[3] & 0xff)
                + "; this kernel reads version 1 with flags 0", "emit BTF version 1 with flags 0 (a matching pahole, clang and libbpf)");
    }
}
