package io.bpf4j.loader;

import io.bpf4j.AttachType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** libbpf's section name conventions. */
class SectionKindTest {
    static void is(String section, ProgType type, AttachType at, SectionKind.Attach attach, String target) {
        SectionKind k = SectionKind.of(section);
        assertNotNull(k, section);
        assertEquals(type, k.type(), section);
        assertEquals(at, k.attachType(), section);
        assertEquals(attach, k.attach(), section);
        assertEquals(target, k.target(), section);
    }

    @Test
    void tracingSectionsCarryTheirTarget() {
        is("kprobe/do_nanosleep", ProgType.KPROBE, null, SectionKind.Attach.KPROBE, "do_nanosleep");
        is("kretprobe/vfs_read+0x10", ProgType.KPROBE, null, SectionKind.Attach.KRETPROBE, "vfs_read+0x10");
        is("ksyscall/openat", ProgType.KPROBE, null, SectionKind.Attach.KSYSCALL, "openat");
        is("kprobe.multi/vfs_*", ProgType.KPROBE, AttachType.TRACE_KPROBE_MULTI, SectionKind.Attach.KPROBE_MULTI, "vfs_*");
        is("kprobe.session/vfs_*", ProgType.KPROBE, AttachType.TRACE_KPROBE_SESSION, SectionKind.Attach.KPROBE_SESSION, "vfs_*");
        is("fentry/bpf_fentry_test1", ProgType.TRACING, AttachType.TRACE_FENTRY, SectionKind.Attach.TRACING, "bpf_fentry_test1");
        is("fexit/do_exit", ProgType.TRACING, AttachType.TRACE_FEXIT, SectionKind.Attach.TRACING, "do_exit");
        is("fmod_ret/security_x", ProgType.TRACING, AttachType.MODIFY_RETURN, SectionKind.Attach.TRACING, "security_x");
        is("freplace/pick", ProgType.EXT, null, SectionKind.Attach.EXT, "pick");
        is("raw_tp/sys_enter", ProgType.RAW_TRACEPOINT, null, SectionKind.Attach.RAW_TRACEPOINT, "sys_enter");
        is("raw_tracepoint/sched_switch", ProgType.RAW_TRACEPOINT, null, SectionKind.Attach.RAW_TRACEPOINT, "sched_switch");
        is("tp/syscalls/sys_enter_getpid", ProgType.TRACEPOINT, null, SectionKind.Attach.TRACEPOINT, "syscalls/sys_enter_getpid");
        is("tracepoint/sched/sched_switch", ProgType.TRACEPOINT, null, SectionKind.Attach.TRACEPOINT, "sched/sched_switch");
        is("tp_btf/sched_switch", ProgType.TRACING, AttachType.TRACE_RAW_TP, SectionKind.Attach.TRACING, "sched_switch");
        is("iter/task", ProgType.TRACING, AttachType.TRACE_ITER, SectionKind.Attach.ITER, "task");
        is("lsm/file_open", ProgType.LSM, AttachType.LSM_MAC, SectionKind.Attach.TRACING, "file_open");
        assertTrue(SectionKind.of("fentry.s/x").sleepable());
        assertEquals(ProgramSpec.F_SLEEPABLE, SectionKind.of("lsm.s/bprm_check_security").flags());
    }

    @Test
    void networkingSectionsAreExactNames() {
        is("xdp", ProgType.XDP, AttachType.XDP, SectionKind.Attach.XDP, "");
        assertEquals(ProgramSpec.F_XDP_HAS_FRAGS, SectionKind.of("xdp.frags").flags());
        is("xdp/devmap", ProgType.XDP, AttachType.XDP_DEVMAP, SectionKind.Attach.MANUAL, "");
        is("socket", ProgType.SOCKET_FILTER, null, SectionKind.Attach.MANUAL, "");
        is("tc", ProgType.SCHED_CLS, null, SectionKind.Attach.MANUAL, "");
        is("classifier/ingress", ProgType.SCHED_CLS, null, SectionKind.Attach.MANUAL, "ingress");
        is("cgroup_skb/egress", ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, SectionKind.Attach.MANUAL, "");
        is("cgroup/connect4", ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, SectionKind.Attach.MANUAL, "");
        is("syscall", ProgType.SYSCALL, null, SectionKind.Attach.MANUAL, "");
        assertNull(SectionKind.of("socket/extra"), "exact names take no suffix");
        assertNull(SectionKind.of("xdpfoo"));
        assertNull(SectionKind.of("kprobefoo"), "a prefix needs its slash");
        assertNull(SectionKind.of("my_section"));
    }
}
