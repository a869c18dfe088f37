package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.EnumSet;
import java.util.Set;

import static io.bpf4j.AttachType.*;

/**
 * R-L11, PROG_LOAD, EINVAL: {@code bpf_prog_load_check_attach()}: for the program types that
 * use it, expected_attach_type must be one of theirs; extensions must leave it 0.
 */
final class ExpectedAttachType extends BaseRule {
    ExpectedAttachType() {
        super("R-L11", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    static Set<AttachType> allowed(ProgType t) {
        return switch (t) {
            case CGROUP_SKB -> EnumSet.of(CGROUP_INET_INGRESS, CGROUP_INET_EGRESS);
            case CGROUP_SOCK -> EnumSet.of(CGROUP_INET_SOCK_CREATE, CGROUP_INET_SOCK_RELEASE, CGROUP_INET4_POST_BIND, CGROUP_INET6_POST_BIND);
            case CGROUP_SOCK_ADDR -> EnumSet.of(CGROUP_INET4_BIND, CGROUP_INET6_BIND, CGROUP_INET4_CONNECT, CGROUP_INET6_CONNECT,
                    CGROUP_UDP4_SENDMSG, CGROUP_UDP6_SENDMSG, CGROUP_UDP4_RECVMSG, CGROUP_UDP6_RECVMSG, CGROUP_INET4_GETPEERNAME,
                    CGROUP_INET6_GETPEERNAME, CGROUP_INET4_GETSOCKNAME, CGROUP_INET6_GETSOCKNAME, CGROUP_UNIX_CONNECT,
                    CGROUP_UNIX_SENDMSG, CGROUP_UNIX_RECVMSG, CGROUP_UNIX_GETPEERNAME, CGROUP_UNIX_GETSOCKNAME);
            case CGROUP_SOCKOPT -> EnumSet.of(CGROUP_GETSOCKOPT, CGROUP_SETSOCKOPT);
            case SK_LOOKUP -> EnumSet.of(AttachType.SK_LOOKUP);
            case SK_REUSEPORT -> EnumSet.of(SK_REUSEPORT_SELECT, SK_REUSEPORT_SELECT_OR_MIGRATE);
            case NETFILTER -> EnumSet.of(AttachType.NETFILTER);
            default -> null;
        };
    }

    @Override
    Cause check(Observation o) {
        ProgType t = ProgType.of(o.call().u32("prog_type"));
        int eat = o.call().u32("expected_attach_type");
        if (t == null || (o.kernel().maxProgType() >= 0 && t.value() > o.kernel().maxProgType())) return null;
        if (t == ProgType.EXT && eat != 0)
            return cause("freplace (BPF_PROG_TYPE_EXT) programs take their attach type from the target; expected_attach_type must be 0, not "
                    + AttachType.nameOf(eat), "leave expected_attach_type 0 for extensions");
        Set<AttachType> ok = allowed(t);
        if (ok == null) return null;
        // bpf_prog_load_fixup_attach_type(): CGROUP_SOCK with 0 (= CGROUP_INET_INGRESS) means SOCK_CREATE.
        if (t == ProgType.CGROUP_SOCK && eat == 0) return null;
        AttachType a = AttachType.of(eat);
        if (a != null && ok.contains(a)) return null;
        return cause(t.kernelName() + " programs can be loaded only for " + ok.stream().map(AttachType::kernelName).toList()
                        + ", not expected_attach_type " + AttachType.nameOf(eat),
                "set expected_attach_type to the hook the program is for (libbpf derives it from the SEC() name)");
    }
}
