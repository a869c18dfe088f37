package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-B04, BTF_LOAD, EINVAL: {@code btf_parse_hdr()}/{@code btf_parse_str_sec()}: the header's
 * sections do not fit the blob, or the string section is empty (it must at least hold the empty
 * string at offset 0).
 */
final class BtfSections extends BaseRule {
    BtfSections() {
        super("R-B04", on(BpfCommand.BTF_LOAD), Errno.EINVAL);
    }

    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    @Override
    Cause check(Observation o) {
        byte[] b = o.memory("btf").orElse(null);
        if (b == null || b.length < 24 || ((b[0] & 0xff) | (b[1] & 0xff) << 8) != 0xeb9f) return null;
        long size = Integer.toUnsignedLong(o.call().u32("btf_size"));
        long hdrLen = Integer.toUnsignedLong(u32(b, 4));
        long typeOff = Integer.toUnsignedLong(u32(b, 8)), typeLen = Integer.toUnsignedLong(u32(b, 12));
        long strOff = Integer.toUnsignedLong(u32(b, 16)), strLen = Integer.toUnsignedLong(u32(b, 20));
        String why = null;
        if (hdrLen < 24 || hdrLen > size) why = "hdr_len " + hdrLen + " does not fit btf_size " + size;
        else if (hdrLen + typeOff + typeLen > size || hdrLen + strOff + strLen > size) why = "a section runs past btf_size " + size;
        else if (strLen == 0) why = "the string section is empty (it must hold at least the empty string)";
        if (why == null) return null;
        return cause("the BTF blob is malformed: " + why,
                "rebuild the object with a matching toolchain, or load with btf_log_level 1 to see the parser's line");
    }
}
