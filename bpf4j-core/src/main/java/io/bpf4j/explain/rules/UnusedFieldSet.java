package io.bpf4j.explain.rules;

import io.bpf4j.explain.AttrField;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G02, any command, EINVAL: {@code CHECK_ATTR(CMD)} refuses a non-zero byte after the
 * command's last field ({@code BPF_*_LAST_FIELD}) within what the kernel copied. The last field
 * grows with the kernel, so a field of a newer header fails here on an older kernel.
 */
final class UnusedFieldSet extends BaseRule {
    UnusedFieldSet() {
        super("R-G02", ANY, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if (o.call().command() == null) return null;
        int end = o.kernel().attrEnd(o.call().command());
        if (end <= 0) return null;
        int nz = o.call().firstNonZeroFrom(end);
        int kernelSize = o.kernel().attrSize();
        if (nz < 0 || (kernelSize > 0 && nz >= kernelSize)) return null;
        AttrField f = o.call().fieldAt(nz);
        String field = f != null ? "field " + f.name() + " (byte " + nz + ")" : "byte " + nz;
        return cause(field + " is set, but " + o.call().commandName() + " on this kernel (" + o.kernel().release()
                        + ") reads nothing past byte " + end + " and refuses a non-zero byte there (CHECK_ATTR)"
                        + (f != null ? ": " + f.name() + " is newer than this kernel" : ""),
                "leave " + (f != null ? f.name() : "that byte") + " zero on this kernel (feature-probe it), or upgrade the kernel");
    }
}
