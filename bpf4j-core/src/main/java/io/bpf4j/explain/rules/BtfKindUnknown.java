package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-B06, BTF_LOAD, EINVAL: the blob has a type of a kind this kernel's BTF parser does not know
 * ({@code btf_check_all_metas()}: "Invalid kind"): VAR and DATASEC came in 5.2, FLOAT in 5.13,
 * DECL_TAG in 5.16, TYPE_TAG in 5.17, ENUM64 in 6.0. libbpf loads one-type blobs like this to
 * find out, then sanitises the object's BTF: such failures are its feature probes.
 */
final class BtfKindUnknown extends BaseRule {
    static final String[] KIND = {"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST",
            "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"};
    /** The release that taught the parser each kind, {major, minor}; 0 for the first BTF kernels. */
    static final int[][] SINCE = {null, null, null, null, null, null, null, null, null, null, null, null, {5, 0}, {5, 0}, {5, 2},
            {5, 2}, {5, 13}, {5, 16}, {5, 17}, {6, 0}};

    BtfKindUnknown() {
        super("R-B06", on(BpfCommand.BTF_LOAD), Errno.EINVAL);
    }

    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** The kinds of the types in a raw BTF blob, in order; stops at what it cannot walk. */
    static java.util.List<Integer> kinds(byte[] b) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (b.length < 24 || ((b[0] & 0xff) | (b[1] & 0xff) << 8) != 0xeb9f) return out;
        int hdr = u32(b, 4), off = hdr + u32(b, 8), end = off + u32(b, 12);
        if (hdr < 24 || end > b.length || off < 0) return out;
        while (off + 12 <= end) {
            int info = u32(b, off + 4), kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
            out.add(kind);
            off += 12 + switch (kind) {
                case 1, 14, 17 -> 4;                   // INT, VAR, DECL_TAG
                case 3 -> 12;                          // ARRAY
                case 4, 5, 15, 19 -> 12 * vlen;        // STRUCT, UNION, DATASEC, ENUM64
                case 6, 13 -> 8 * vlen;                // ENUM, FUNC_PROTO
                default -> 0;
            };
        }
        return out;
    }

    @Override
    Cause check(Observation o) {
        byte[] b = o.memory("btf").orElse(null);
        if (b == null || o.kernel().major() == 0) return null;
        java.util.List<Integer> kinds = kinds(b);
        for (int k : kinds) {
            int[] since = k < SINCE.length ? SINCE[k] : new int[] {99, 0};
            if (since == null || o.kernel().atLeast(since[0], since[1])) continue;
            String name = k < KIND.length ? "BTF_KIND_" + KIND[k] : "kind " + k;
            boolean probe = kinds.size() <= 4;
            return cause("the BTF has a " + name + " type, which the BTF parser of this kernel (" + o.kernel().release() + ") does not know: it came in Linux "
                            + since[0] + "." + since[1] + (probe ? "; a blob of " + kinds.size() + (kinds.size() == 1 ? " type" : " types") + " like this is how libbpf probes the kernel's BTF features" : ""),
                    probe ? "nothing to fix: libbpf then leaves that kind out of (sanitises) your object's BTF"
                            : "build the BTF without it (an older pahole/clang), or let libbpf sanitise it, or upgrade the kernel");
        }
        return null;
    }
}
