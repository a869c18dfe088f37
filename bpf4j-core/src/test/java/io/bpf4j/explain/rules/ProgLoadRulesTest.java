package io.bpf4j.explain.rules;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.explain.VerifierReport;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.bpf4j.explain.rules.Obs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BPF_PROG_LOAD's rules, with the verifier lines the corpus got from this host's kernel. */
class ProgLoadRulesTest {
    static Obs.Attr load(ProgType t) {
        return attr(BpfCommand.PROG_LOAD, 168).set("prog_type", t.value()).set("insn_cnt", 2).set("insns", 0x4000).set("license", 0x5000);
    }

    static Observation.Builder verified(ProgType t, int errno, String log) {
        return load(t).obs(errno).verifier(VerifierReport.ofLog(log)).memory("license", "GPL".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void verifierRefusesAnUncheckedMapValue() {
        Observation o = verified(ProgType.SOCKET_FILTER, Errno.EACCES, """
                0: R1=ctx() R10=fp0
                0: (18) r1 = 0xffff888004b5a000
                2: (bf) r2 = r10
                5: (85) call bpf_map_lookup_elem#1
                6: (79) r0 = *(u64 *)(r0 +0)
                R0 invalid mem access 'map_value_or_null'
                processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
                """).build();
        assertEquals(KnownChanges.NULLNESS_ELISION, assertCause(o, "R-L01", "map_value_or_null", "at instruction 6", "checking it for NULL").change());
        assertNotRule(verified(ProgType.SOCKET_FILTER, Errno.EACCES, "processed 2 insns (limit 1000000)\n").build(), "R-L01");
    }

    @Test
    void unreachableInstruction() {
        assertCause(verified(ProgType.SOCKET_FILTER, Errno.EINVAL, "unreachable insn 1\n").build(), "R-L02", "unreachable insn 1");
        assertCause(verified(ProgType.SOCKET_FILTER, Errno.EINVAL, "jump out of range from insn 0 to 6\n").build(), "R-L02", "jump out of range");
    }

    @Test
    void helperThisKernelDoesNotHave() {
        assertCause(verified(ProgType.SOCKET_FILTER, Errno.EINVAL, "0: (85) call unknown#9999\ninvalid func unknown#9999\n").build(),
                "R-L03", "helper #9999");
        // Without a log: found in the instructions, against the kernel's highest helper id.
        byte[] insns = new byte[16];
        insns[0] = (byte) 0x85;
        insns[4] = (byte) 200;
        Observation noLog = load(ProgType.SOCKET_FILTER).obs(Errno.EINVAL).kernel(K510).memory("insns", insns).build();
        assertCause(noLog, "R-L03", "helper #200");
        assertNotRule(load(ProgType.SOCKET_FILTER).obs(Errno.EINVAL).memory("insns", insns).build(), "R-L03");
    }

    @Test
    void helperThisProgramTypeMayNotCall() {
        assertCause(verified(ProgType.XDP, Errno.EINVAL, "program of this type cannot use helper bpf_override_return#58\n").build(),
                "R-L04", "BPF_PROG_TYPE_XDP programs may not call bpf_override_return");
        Observation old = verified(ProgType.XDP, Errno.EINVAL, "unknown func bpf_override_return#58\n").kernel(K510).build();
        assertEquals(KnownChanges.HELPER_MESSAGE, assertCause(old, "R-L04", "unknown func").change());
    }

    @Test
    void gplOnlyHelperFromAProprietaryProgram() {
        Observation o = load(ProgType.KPROBE).obs(Errno.EINVAL).memory("license", "Proprietary".getBytes(StandardCharsets.US_ASCII))
                .verifier(VerifierReport.ofLog("4: (85) call bpf_probe_read_kernel#113\ncannot call GPL-restricted function from non-GPL compatible program\n"))
                .build();
        assertCause(o, "R-L05", "\"Proprietary\"", "Dual BSD/GPL");
    }

    @Test
    void logBufferTooSmall() {
        Observation o = load(ProgType.SOCKET_FILTER).set("log_level", 2).set("log_size", 200).set("log_buf", 0x6000).obs(Errno.ENOSPC)
                .fact(Fact.LOG_TRUE_SIZE, 2817).build();
        assertCause(o, "R-L06", "200-byte buffer", "needed 2817 bytes");
        assertNotRule(load(ProgType.SOCKET_FILTER).obs(Errno.ENOSPC).build(), "R-L06");
    }

    @Test
    void logAttributesThatDoNotGoTogether() {
        assertCause(load(ProgType.SOCKET_FILTER).set("log_level", 1).set("log_size", 1024).obs(Errno.EINVAL).build(), "R-L07", "log_buf is NULL");
        assertCause(load(ProgType.SOCKET_FILTER).set("log_level", 64).set("log_size", 1024).set("log_buf", 0x6000).obs(Errno.EINVAL).build(),
                "R-L07", "log_level 64");
        Observation small = load(ProgType.SOCKET_FILTER).set("log_level", 1).set("log_size", 64).set("log_buf", 0x6000).obs(Errno.EINVAL)
                .kernel(K510).build();
        assertEquals(KnownChanges.LOG_NO_MIN_SIZE, assertCause(small, "R-L07", "under 128 bytes").change());
        assertNotRule(load(ProgType.SOCKET_FILTER).set("log_level", 1).set("log_size", 64).set("log_buf", 0x6000).obs(Errno.EINVAL).build(), "R-L07");
    }

    @Test
    void instructionCount() {
        assertCause(load(ProgType.SOCKET_FILTER).set("insn_cnt", 0).obs(Errno.E2BIG).build(), "R-L08", "insn_cnt is 0");
        assertCause(load(ProgType.SOCKET_FILTER).set("insn_cnt", 1_000_001).obs(Errno.E2BIG).build(), "R-L08", "1000001", "1000000");
        assertCause(load(ProgType.SOCKET_FILTER).set("insn_cnt", 5000).obs(Errno.E2BIG).process(new ProcessFacts(1000, 0, -1, 0)).build(),
                "R-L08", "4096");
    }

    @Test
    void complexityLimit() {
        assertCause(verified(ProgType.SOCKET_FILTER, Errno.E2BIG, "BPF program is too large. Processed 1000001 insn\nprocessed 1000001 insns\n").build(),
                "R-L09", "too large", "bpf_loop()");
    }

    @Test
    void programTypeTheKernelDoesNotHave() {
        assertCause(attr(BpfCommand.PROG_LOAD, 168).set("prog_type", 9999).set("insn_cnt", 2).obs(Errno.EINVAL).build(), "R-L10", "9999");
        assertCause(load(ProgType.NETFILTER).obs(Errno.EINVAL).kernel(K510).build(), "R-L10", "needs Linux 6.4");
        assertNotRule(load(ProgType.NETFILTER).obs(Errno.EINVAL).build(), "R-L10");
    }

    @Test
    void expectedAttachTypeOfAnotherHook() {
        assertCause(load(ProgType.CGROUP_SKB).set("expected_attach_type", AttachType.CGROUP_INET_SOCK_CREATE.value()).obs(Errno.EINVAL).build(),
                "R-L11", "BPF_CGROUP_INET_INGRESS", "not expected_attach_type BPF_CGROUP_INET_SOCK_CREATE");
        assertNotRule(load(ProgType.CGROUP_SOCK).obs(Errno.EINVAL).build(), "R-L11"); // 0 means SOCK_CREATE there
    }

    @Test
    void attachFieldsOnAProgramThatAttachesNowhere() {
        assertCause(load(ProgType.SOCKET_FILTER).set("attach_btf_id", 1).obs(Errno.EINVAL).build(), "R-L12", "attach_btf_id is 1");
        assertCause(load(ProgType.SOCKET_FILTER).set("attach_prog_fd", 5).obs(Errno.EINVAL).build(), "R-L12", "attach_prog_fd is 5");
        assertNotRule(load(ProgType.TRACING).set("attach_btf_id", 1).obs(Errno.EINVAL).build(), "R-L12");
    }

    @Test
    void progFlagsTheKernelDoesNotKnow() {
        assertCause(load(ProgType.SOCKET_FILTER).set("prog_flags", 1 << 30).obs(Errno.EINVAL).build(), "R-L13", "0x40000000");
        assertCause(load(ProgType.XDP).set("prog_flags", Flags.XDP_DEV_BOUND_ONLY).obs(Errno.EINVAL).kernel(K510).build(), "R-L13", "6.3+");
        assertNotRule(load(ProgType.XDP).set("prog_flags", Flags.XDP_HAS_FRAGS).obs(Errno.EINVAL).build(), "R-L13");
    }

    @Test
    void capabilityTheProgramTypeNeeds() {
        ProcessFacts bpfOnly = new ProcessFacts(1000, 1L << ProcessFacts.CAP_BPF, -1, 0);
        assertCause(load(ProgType.XDP).obs(Errno.EPERM).process(bpfOnly).build(), "R-L14", "CAP_NET_ADMIN");
        assertCause(load(ProgType.KPROBE).obs(Errno.EPERM).process(bpfOnly).build(), "R-L14", "CAP_PERFMON");
        assertNotRule(load(ProgType.SOCKET_FILTER).obs(Errno.EPERM).process(bpfOnly).build(), "R-L14");
    }

    @Test
    void mapFdInAnInstructionThatIsNotAMap() {
        Observation o = load(ProgType.SOCKET_FILTER).obs(Errno.EBADF).object("insn_map:0", new ObjectSnapshot.NotOpen(9999)).build();
        assertCause(o, "R-L15", "instruction 0", "fd 9999");
        assertCause(verified(ProgType.SOCKET_FILTER, Errno.EBADF, "fd 9999 is not pointing to valid bpf_map\n").build(), "R-L15", "not a map");
    }

    @Test
    void sleepableFlagOnAProgramThatCannotSleep() {
        Observation o = load(ProgType.SOCKET_FILTER).set("prog_flags", Flags.SLEEPABLE).obs(Errno.EINVAL)
                .verifier(VerifierReport.ofLog("Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable\n")).build();
        assertCause(o, "R-L16", "BPF_F_SLEEPABLE", "cannot sleep");
        assertNotRule(load(ProgType.TRACING).set("prog_flags", Flags.SLEEPABLE).obs(Errno.EINVAL).build(), "R-L16");
    }

    @Test
    void tailCallIntoAnArrayOwnedByAnotherTypeWithACleanLog() {
        ObjectSnapshot.MapObject pa = owned(7, ProgType.SOCKET_FILTER, true);
        Observation o = verified(ProgType.XDP, Errno.EINVAL, "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0\n")
                .object("insn_map:0", pa).build();
        assertCause(o, "R-L17", "the verifier accepted the program", "owned by BPF_PROG_TYPE_SOCKET_FILTER", "is BPF_PROG_TYPE_XDP");
        assertNotRule(verified(ProgType.SOCKET_FILTER, Errno.EINVAL, "processed 5 insns\n").object("insn_map:0", pa).build(), "R-L17");
    }

    @Test
    void anExtensionThatTailCallsWhereTheOriginalDoesNotChangePackets() {
        byte[] insns = new byte[16];
        insns[0] = (byte) 0x85;
        insns[4] = 12; // bpf_tail_call
        Observation o = verified(ProgType.EXT, Errno.EINVAL, "Extension program changes packet data, while original does not\n")
                .memory("insns", insns).build();
        assertEquals(KnownChanges.EXT_CHANGES_PKT_DATA, assertCause(o, "R-L18", "tail call counts as changing packet data").change());
    }

    @Test
    void freplaceOfAStaticFunction() {
        Observation o = verified(ProgType.EXT, Errno.EINVAL, "Cannot replace static functions\n").build();
        assertCause(o, "R-L18", "global functions", "__noinline");
    }
}
