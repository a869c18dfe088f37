package io.bpf4j.explain.rules;

import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G03, any command, EFAULT: a pointer in the attr (or the attr itself) does not point at
 * memory the kernel can read from or write to: {@code copy_from_bpfptr()}, {@code __bpf_copy_key()},
 * {@code strncpy_from_bpfptr()} and their kin return EFAULT.
 */
final class BadPointer extends BaseRule {
    BadPointer() {
        super("R-G03", ANY, Errno.EFAULT);
    }

    @Override
    Cause check(Observation o) {
        if (o.unreadable().isEmpty()) return null;
        String field = o.unreadable().iterator().next();
        long addr = field.equals("attr") ? o.call().attrAddress() : o.call().field(field) != null ? o.call().get(field) : 0;
        return cause("the " + field + " pointer (" + (addr == 0 ? "NULL" : "0x" + Long.toHexString(addr))
                        + ") does not point at readable memory of your process",
                "pass a buffer of the size the " + (field.equals("attr") ? "command" : "map or program")
                        + " needs (per-CPU maps need round_up(value_size, 8) bytes per possible CPU)");
    }
}
