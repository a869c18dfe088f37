package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * R-L13, PROG_LOAD, EINVAL: a prog_flags bit this kernel's mask lacks. The mask grew:
 * XDP_HAS_FRAGS 5.18, XDP_DEV_BOUND_ONLY 6.3, TEST_REG_INVARIANTS 6.8, TOKEN_FD 6.9.
 */
final class UnknownProgFlags extends BaseRule {
    UnknownProgFlags() {
        super("R-L13", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int f = o.call().u32("prog_flags");
        List<String> bad = new ArrayList<>();
        int unknown = f & ~(0xff | 1 << 16);
        if (unknown != 0) bad.add("0x" + Integer.toHexString(unknown) + " (no such flag)");
        if (o.kernel().major() > 0) {
            if ((f & Flags.XDP_HAS_FRAGS) != 0 && !o.kernel().atLeast(5, 18)) bad.add("BPF_F_XDP_HAS_FRAGS (Linux 5.18+)");
            if ((f & Flags.XDP_DEV_BOUND_ONLY) != 0 && !o.kernel().atLeast(6, 3)) bad.add("BPF_F_XDP_DEV_BOUND_ONLY (6.3+)");
            if ((f & Flags.TEST_REG_INVARIANTS) != 0 && !o.kernel().atLeast(6, 8)) bad.add("BPF_F_TEST_REG_INVARIANTS (6.8+)");
            if ((f & (1 << 16)) != 0 && !o.kernel().atLeast(6, 9)) bad.add("BPF_F_TOKEN_FD (6.9+)");
        }
        if (bad.isEmpty()) return null;
        return cause("prog_flags " + Flags.prog(f) + " has bits this kernel (" + o.kernel().release() + ") does not know: " + String.join(", ", bad),
                "drop flags the kernel does not know (probe them first)");
    }
}
