package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.bpf4j.explain.rules.Obs.*;

/** Attach, detach, links and raw tracepoints. */
class AttachRulesTest {
    static final ObjectSnapshot.OtherFile CGROUP = new ObjectSnapshot.OtherFile(6, "/sys/fs/cgroup/unified/explain-test", "cgroup2");

    static Observation.Builder progAttach(ObjectSnapshot.ProgObject p, AttachType at, int flags, int errno) {
        return attr(BpfCommand.PROG_ATTACH).set("target_fd", 6).set("attach_bpf_fd", p.fd()).set("attach_type", at.value())
                .set("attach_flags", flags).obs(errno).object("attach_bpf_fd", p).object("target_fd", CGROUP);
    }

    static Observation.Builder link(ObjectSnapshot.ProgObject p, AttachType at, int target, int flags, int errno) {
        return attr(BpfCommand.LINK_CREATE).set("prog_fd", p.fd()).set("target_fd", target).set("attach_type", at.value())
                .set("flags", flags).obs(errno).object("prog_fd", p);
    }

    @Test
    void attachTypeForAnotherProgramType() {
        assertCause(link(prog(5, ProgType.XDP, "x"), AttachType.CGROUP_INET_INGRESS, 1, 0, Errno.EINVAL).object("target_fd", CGROUP).build(),
                "R-K01", "attaches BPF_PROG_TYPE_CGROUP_SKB programs", "BPF_PROG_TYPE_XDP");
        assertCause(attr(BpfCommand.PROG_ATTACH).set("attach_type", 9999).obs(Errno.EINVAL).build(), "R-K01", "attach_type 9999");
        ObjectSnapshot.ProgObject sock = new ObjectSnapshot.ProgObject(5, 41, ProgType.CGROUP_SOCK.value(), "s", "", true, true, 0, 0,
                AttachType.CGROUP_INET_SOCK_CREATE.value(), 0, List.of(), List.of());
        assertCause(progAttach(sock, AttachType.CGROUP_INET4_POST_BIND, 0, Errno.EINVAL).build(), "R-K01", "loaded with expected_attach_type");
        assertNotRule(progAttach(prog(5, ProgType.CGROUP_SKB, "c"), AttachType.CGROUP_INET_EGRESS, 0, Errno.EINVAL).build(), "R-K01");
    }

    @Test
    void targetThatIsNotACgroup() {
        Observation o = progAttach(prog(5, ProgType.CGROUP_SKB, "c"), AttachType.CGROUP_INET_INGRESS, 0, Errno.EBADF)
                .object("target_fd", new ObjectSnapshot.OtherFile(6, "/dev/null", "devtmpfs")).build();
        assertCause(o, "R-K02", "/dev/null", "cgroup v2");
        assertNotRule(progAttach(prog(5, ProgType.CGROUP_SKB, "c"), AttachType.CGROUP_INET_INGRESS, 0, Errno.EBADF).build(), "R-K02");
    }

    @Test
    void sameProgramTwiceAtAHook() {
        ObjectSnapshot.ProgObject p = prog(5, ProgType.CGROUP_SKB, "c");
        assertCause(progAttach(p, AttachType.CGROUP_INET_INGRESS, Flags.ALLOW_MULTI, Errno.EINVAL)
                .fact(Fact.CGROUP_ATTACHED, "prog 41, flags BPF_F_ALLOW_MULTI").build(), "R-K03", "already attached");
        assertCause(progAttach(p, AttachType.CGROUP_INET_INGRESS, Flags.ALLOW_MULTI | Flags.ALLOW_OVERRIDE, Errno.EINVAL).build(),
                "R-K03", "both");
        assertNotRule(progAttach(p, AttachType.CGROUP_INET_INGRESS, Flags.ALLOW_MULTI, Errno.EINVAL)
                .fact(Fact.CGROUP_ATTACHED, "prog 77, flags BPF_F_ALLOW_MULTI").build(), "R-K03");
    }

    @Test
    void flagsThatDifferFromThoseAtTheHook() {
        assertCause(progAttach(prog(5, ProgType.CGROUP_SKB, "c"), AttachType.CGROUP_INET_INGRESS, 0, Errno.EPERM)
                .fact(Fact.CGROUP_ATTACHED, "prog 41, flags BPF_F_ALLOW_MULTI").build(), "R-K04", "BPF_F_ALLOW_MULTI");
        assertNotRule(progAttach(prog(5, ProgType.CGROUP_SKB, "c"), AttachType.CGROUP_INET_INGRESS, 0, Errno.EPERM).build(), "R-K04");
    }

    @Test
    void detachWhatIsNotAttached() {
        assertCause(attr(BpfCommand.PROG_DETACH).set("target_fd", 6).set("attach_bpf_fd", 5).obs(Errno.ENOENT).build(), "R-K06", "nothing");
    }

    @Test
    void secondXdpLinkOnAnInterface() {
        assertCause(link(prog(5, ProgType.XDP, "x"), AttachType.XDP, 1, 0, Errno.EBUSY).fact(Fact.XDP_ATTACHED, "link 9 holds prog 40").build(),
                "R-K08", "interface 1", "link 9 holds prog 40");
        assertNotRule(link(prog(5, ProgType.XDP, "x"), AttachType.CGROUP_INET_INGRESS, 1, 0, Errno.EBUSY).build(), "R-K08");
    }

    @Test
    void xdpOnAnInterfaceThatDoesNotExist() {
        assertCause(link(prog(5, ProgType.XDP, "x"), AttachType.XDP, 9999, 0, Errno.EINVAL).fact(Fact.IFINDEX_EXISTS, false).build(),
                "R-K09", "index 9999");
        assertNotRule(link(prog(5, ProgType.XDP, "x"), AttachType.XDP, 1, 0, Errno.EINVAL).fact(Fact.IFINDEX_EXISTS, true).build(), "R-K09");
    }

    @Test
    void cgroupLinkWithProgAttachFlags() {
        assertCause(link(prog(5, ProgType.CGROUP_SKB, "c"), AttachType.CGROUP_INET_INGRESS, 6, Flags.ALLOW_OVERRIDE, Errno.EINVAL)
                .object("target_fd", CGROUP).build(), "R-K10", "BPF_F_ALLOW_OVERRIDE");
    }

    @Test
    void rawTracepointThatDoesNotExist() {
        Observation o = attr(BpfCommand.RAW_TRACEPOINT_OPEN).set("name", 0x7000).set("prog_fd", 5).obs(Errno.ENOENT)
                .memory("name", "no_such_tracepoint".getBytes(StandardCharsets.US_ASCII)).build();
        assertCause(o, "R-K11", "no_such_tracepoint");
        assertNotRule(o.toBuilder().fact(Fact.TRACEPOINT_EXISTS, true).build(), "R-K11");
    }

    @Test
    void rawTracepointWithASocketFilter() {
        assertCause(attr(BpfCommand.RAW_TRACEPOINT_OPEN).set("prog_fd", 5).obs(Errno.EINVAL).object("prog_fd", prog(5, ProgType.SOCKET_FILTER, "sf"))
                .build(), "R-K12", "BPF_PROG_TYPE_SOCKET_FILTER");
        assertNotRule(attr(BpfCommand.RAW_TRACEPOINT_OPEN).set("prog_fd", 5).obs(Errno.EINVAL)
                .object("prog_fd", prog(5, ProgType.RAW_TRACEPOINT, "r")).build(), "R-K12");
    }
}
