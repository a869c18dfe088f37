package io.bpf4j.explain.rules;

import io.bpf4j.explain.AttrField;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G01, any command, E2BIG: {@code bpf_check_uarg_tail_zero()} runs first in
 * {@code __sys_bpf()}: an attr larger than a page, or larger than this kernel's union bpf_attr
 * with a non-zero byte past its end, is refused before anything else is looked at.
 */
final class AttrTooLarge extends BaseRule {
    AttrTooLarge() {
        super("R-G01", ANY, Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        int size = o.call().size();
        if (size > 4096)
            return cause("the attr size argument is " + size + " bytes; the kernel refuses any bpf_attr larger than a page (4096)",
                    "pass sizeof(union bpf_attr) of your headers, or offsetofend() of the last field you use");
        int kernelSize = o.kernel().attrSize();
        if (kernelSize <= 0 || size <= kernelSize) return null;
        int nz = o.call().firstNonZeroFrom(kernelSize);
        if (nz < 0) return null;
        AttrField f = o.call().fieldAt(nz);
        return cause("your bpf_attr is " + size + " bytes and byte " + nz + (f != null ? " (field " + f.name() + ")" : "")
                        + " is not zero, but this kernel's union bpf_attr ends at " + kernelSize
                        + " bytes: the call sets a field this kernel does not have",
                "zero-initialise the attr and leave fields newer than the kernel unset (feature-probe them), "
                        + "or pass offsetofend() of the last field you use as the size");
    }
}
