package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-L12, PROG_LOAD, EINVAL: {@code bpf_prog_load_check_attach()}/{@code bpf_prog_load()}:
 * attach_btf_id is only for tracing, LSM, struct_ops and extension programs, attach_prog_fd
 * only for tracing and extension programs.
 */
final class AttachFieldsOnWrongType extends BaseRule {
    AttachFieldsOnWrongType() {
        super("R-L12", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ProgType t = ProgType.of(o.call().u32("prog_type"));
        if (t == null) return null;
        String type = t.kernelName();
        if (o.call().u32("attach_btf_id") != 0 && t != ProgType.TRACING && t != ProgType.LSM && t != ProgType.STRUCT_OPS && t != ProgType.EXT)
            return cause("attach_btf_id is " + Integer.toUnsignedString(o.call().u32("attach_btf_id")) + ", but " + type
                            + " programs have no BTF attach target (only tracing, LSM, struct_ops and freplace programs do)",
                    "leave attach_btf_id 0 for " + type);
        if (o.call().u32("attach_prog_fd") != 0 && t != ProgType.TRACING && t != ProgType.EXT)
            return cause("attach_prog_fd is " + o.call().u32("attach_prog_fd") + ", but only tracing and freplace programs attach to another program",
                    "leave attach_prog_fd 0 for " + type);
        return null;
    }
}
