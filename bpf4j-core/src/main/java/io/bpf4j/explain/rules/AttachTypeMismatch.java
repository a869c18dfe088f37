package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.EnumSet;
import java.util.Set;

/**
 * R-K01, PROG_ATTACH/PROG_DETACH/LINK_CREATE, EINVAL: {@code attach_type_to_prog_type()} has no
 * type for the attach type, the program is of another type ({@code bpf_prog_get_type()}), or
 * ({@code bpf_prog_attach_check_attach_type()}) the program was loaded for another hook.
 */
final class AttachTypeMismatch extends BaseRule {
    /** Types whose attach must equal the load's expected_attach_type. */
    static final Set<ProgType> STRICT = EnumSet.of(ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR, ProgType.CGROUP_SOCKOPT,
            ProgType.SK_LOOKUP, ProgType.NETFILTER);

    AttachTypeMismatch() {
        super("R-K01", on(BpfCommand.PROG_ATTACH, BpfCommand.PROG_DETACH, BpfCommand.LINK_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int at = o.call().u32("attach_type");
        AttachType a = AttachType.of(at);
        if (a == null)
            return cause("attach_type " + at + " does not exist on this kernel", "use an attach type the kernel has");
        String role = o.call().is(BpfCommand.LINK_CREATE) ? "prog_fd" : "attach_bpf_fd";
        ObjectSnapshot.ProgObject p = o.prog(role).orElse(null);
        if (p == null) return null;
        ProgType want = Families.progTypeFor(a);
        String fix = "attach with the attach type the program was loaded for (libbpf derives it from the SEC() name)";
        if (p.type() != want.value())
            return cause(a.kernelName() + " attaches " + want.kernelName() + " programs, and " + name(p) + " is " + p.typeName(), fix);
        if (STRICT.contains(want) && p.expectedAttachType() >= 0 && p.expectedAttachType() != at)
            return cause(name(p) + " was loaded with expected_attach_type " + AttachType.nameOf(p.expectedAttachType())
                    + " and cannot be attached at " + a.kernelName(), fix);
        return null;
    }
}
