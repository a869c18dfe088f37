package io.bpf4j.explain;

import java.util.ArrayList;
import java.util.List;

/** The uapi flag bits of bpf_attr fields, by name, as strace prints them ({@code BPF_F_RDONLY|BPF_F_MMAPABLE}). */
public final class Flags {
    private Flags() {}

    // map_flags (include/uapi/linux/bpf.h)
    public static final int NO_PREALLOC = 1, NO_COMMON_LRU = 1 << 1, NUMA_NODE = 1 << 2, RDONLY = 1 << 3, WRONLY = 1 << 4,
            STACK_BUILD_ID = 1 << 5, ZERO_SEED = 1 << 6, RDONLY_PROG = 1 << 7, WRONLY_PROG = 1 << 8, CLONE = 1 << 9,
            MMAPABLE = 1 << 10, PRESERVE_ELEMS = 1 << 11, INNER_MAP = 1 << 12, LINK = 1 << 13, PATH_FD = 1 << 14,
            VTYPE_BTF_OBJ_FD = 1 << 15, TOKEN_FD = 1 << 16, SEGV_ON_FAULT = 1 << 17, NO_USER_CONV = 1 << 18;
    static final String[] MAP = {"BPF_F_NO_PREALLOC", "BPF_F_NO_COMMON_LRU", "BPF_F_NUMA_NODE", "BPF_F_RDONLY",
            "BPF_F_WRONLY", "BPF_F_STACK_BUILD_ID", "BPF_F_ZERO_SEED", "BPF_F_RDONLY_PROG", "BPF_F_WRONLY_PROG",
            "BPF_F_CLONE", "BPF_F_MMAPABLE", "BPF_F_PRESERVE_ELEMS", "BPF_F_INNER_MAP", "BPF_F_LINK", "BPF_F_PATH_FD",
            "BPF_F_VTYPE_BTF_OBJ_FD", "BPF_F_TOKEN_FD", "BPF_F_SEGV_ON_FAULT", "BPF_F_NO_USER_CONV"};

    // prog_flags
    public static final int STRICT_ALIGNMENT = 1, ANY_ALIGNMENT = 1 << 1, TEST_RND_HI32 = 1 << 2, TEST_STATE_FREQ = 1 << 3,
            SLEEPABLE = 1 << 4, XDP_HAS_FRAGS = 1 << 5, XDP_DEV_BOUND_ONLY = 1 << 6, TEST_REG_INVARIANTS = 1 << 7;
    static final String[] PROG = {"BPF_F_STRICT_ALIGNMENT", "BPF_F_ANY_ALIGNMENT", "BPF_F_TEST_RND_HI32",
            "BPF_F_TEST_STATE_FREQ", "BPF_F_SLEEPABLE", "BPF_F_XDP_HAS_FRAGS", "BPF_F_XDP_DEV_BOUND_ONLY",
            "BPF_F_TEST_REG_INVARIANTS", null, null, null, null, null, null, null, null, "BPF_F_TOKEN_FD"};

    // element update flags: a value, not bits, in the low two bits
    public static final long ANY = 0, NOEXIST = 1, EXIST = 2, F_LOCK = 4;

    // attach_flags
    public static final int ALLOW_OVERRIDE = 1, ALLOW_MULTI = 2, REPLACE = 4, BEFORE = 8, AFTER = 16;
    static final String[] ATTACH = {"BPF_F_ALLOW_OVERRIDE", "BPF_F_ALLOW_MULTI", "BPF_F_REPLACE", "BPF_F_BEFORE",
            "BPF_F_AFTER", "BPF_F_ID"};

    // file_flags of OBJ_GET / open_flags of *_GET_FD_BY_ID
    static final String[] FILE = {null, null, null, "BPF_F_RDONLY", "BPF_F_WRONLY", null, null, null, null, null, null,
            null, null, null, "BPF_F_PATH_FD"};

    public static String map(long v) {
        return bits(v, MAP);
    }

    public static String prog(long v) {
        return bits(v, PROG);
    }

    public static String attach(long v) {
        return bits(v, ATTACH);
    }

    public static String file(long v) {
        return bits(v, FILE);
    }

    /** {@code BPF_ANY}, {@code BPF_NOEXIST|BPF_F_LOCK}, with unknown bits in hex. */
    public static String elem(long v) {
        String base = switch ((int) (v & 3)) {
            case 0 -> "BPF_ANY";
            case 1 -> "BPF_NOEXIST";
            case 2 -> "BPF_EXIST";
            default -> "BPF_NOEXIST|BPF_EXIST";
        };
        StringBuilder sb = new StringBuilder(base);
        if ((v & F_LOCK) != 0) sb.append("|BPF_F_LOCK");
        long rest = v & ~7L;
        if (rest != 0) sb.append("|0x").append(Long.toHexString(rest));
        return sb.toString();
    }

    static String bits(long v, String[] names) {
        if (v == 0) return "0";
        List<String> out = new ArrayList<>();
        long rest = v;
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null && (v & (1L << i)) != 0) {
                out.add(names[i]);
                rest &= ~(1L << i);
            }
        }
        if (rest != 0) out.add("0x" + Long.toHexString(rest));
        return String.join("|", out);
    }

    /** The bits of {@code v} that no name in the table covers. */
    static long unknownBits(long v, String[] names) {
        long known = 0;
        for (int i = 0; i < names.length; i++) if (names[i] != null) known |= 1L << i;
        return v & ~known;
    }
}
