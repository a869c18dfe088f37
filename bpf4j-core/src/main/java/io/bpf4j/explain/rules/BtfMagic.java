package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-B01, BTF_LOAD, EINVAL: {@code btf_parse_hdr()}: "Invalid magic": the blob does not start with 0xeB9F in host byte order. */
final class BtfMagic extends BaseRule {
    BtfMagic() {
        super("R-B01", on(BpfCommand.BTF_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        byte[] b = o.memory("btf").orElse(null);
        if (b == null || b.length < 2) return null;
        int magic = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        if (magic == 0xeb9f) return null;
        return cause("the BTF blob starts with 0x" + String.format("%04x", magic) + (magic == 0x9feb ? " (BTF of the other byte order)" : "")
                + ", not BTF_MAGIC 0xeb9f", "pass the raw .BTF section content in host byte order, not the ELF file or another section");
    }
}
