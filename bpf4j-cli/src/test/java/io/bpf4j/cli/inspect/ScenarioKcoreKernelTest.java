package io.bpf4j.cli.inspect;

import io.bpf4j.BpfProgram;
import io.bpf4j.ProgInfo;
import io.bpf4j.asm.Disassembler;
import io.bpf4j.FdInfo;
import io.bpf4j.tools.kmem.KernelBpf;
import io.bpf4j.tools.scenario.TailcallInFreplace;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.KernelRelease;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 7's acceptance: while {@code scenario tailcall-in-freplace} waits at step 2 holding
 * its objects, {@code inspect --source kcore} reports facts from kernel memory, each checked
 * against an independent source in the same VM: the owner against fdinfo, the extension's
 * target before attach against prog info and the program ids, slots against
 * BPF_MAP_LOOKUP_ELEM, and tail_call_reachable false for every program whose xlated code has
 * no tail call.
 */
@Tag("kernel")
class ScenarioKcoreKernelTest {
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @Test
    void kcoreFactsWhileTheScenarioWaitsAgreeWithTheInterfaces() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> checked = new AtomicReference<>(false);
        int fds = Fd.openCount();
        var report = new TailcallInFreplace(new TailcallInFreplace.Options(0, Duration.ofSeconds(2), true))
                .run(new TailcallInFreplace.Listener() {
                    @Override
                    public void paused(TailcallInFreplace.Paused p) {
                        try (KernelBpf kb = KernelBpf.open()) {
                            check(p, new Inspector(kb));
                            checked.set(true);
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    }
                });
        if (failure.get() != null) throw new AssertionError(failure.get());
        String why = KernelRelease.running() + ": " + report.explanation();
        // Kernels with 81f6d0530ba0 (v6.13, backported to 6.12.117) refuse the extension at
        // load: no pause, nothing held. The scenario's own lab test checks that refusal.
        if (report.outcome() == io.bpf4j.tools.scenario.TailcallInFreplaceReport.Outcome.LOAD_REFUSED) {
            assertFalse(checked.get(), "a refused load cannot pause at step 2: " + why);
            assertTrue(KernelRelease.running().atLeast(6, 12), "5.10 and 6.1 load the extension: " + why);
            return;
        }
        assertTrue(checked.get(), "the scenario paused at step 2 holding both objects: " + why);
        assertEquals(fds, Fd.openCount());
    }

    static void check(TailcallInFreplace.Paused p, Inspector in) throws Exception {
        // The owner from kernel memory equals fdinfo's, by type and JIT flag.
        Map<String, Object> m = in.map(p.progsMapId(), true);
        Map<String, Object> kc = map(m.get("kcore"));
        assertFalse(kc.containsKey("error"), String.valueOf(kc));
        FdInfo fdi;
        try (var progs = io.bpf4j.BpfMap.fromId(p.progsMapId())) {
            fdi = FdInfo.of(progs.fd());
            Map<String, Object> owner = map(kc.get("owner"));
            assertEquals(fdi.ownerProgTypeName(), owner.get("prog_type"), "owner: kcore vs fdinfo");
            assertEquals(fdi.ownerJited(), owner.get("jited"));
            // Slots: put the tail-call target in where the kernel allows it, then compare.
            boolean put;
            try {
                progs.update(u32(0), u32(p.tailcallProgFd()), io.bpf4j.BpfMap.ANY);
                put = true;
            } catch (io.bpf4j.BpfException e) {
                put = false; // 5.10: the EXT owner refuses the kprobe (the story)
            }
            kc = map(in.map(p.progsMapId(), true).get("kcore"));
            List<Map<String, Object>> slots = list(kc.get("slots"));
            var lookup = progs.lookup(u32(0));
            assertEquals(put, lookup.isPresent());
            if (put) {
                assertEquals(1, slots.size());
                assertEquals(ByteBuffer.wrap(lookup.get()).order(ByteOrder.LITTLE_ENDIAN).getInt(), slots.get(0).get("id"));
                progs.delete(u32(0));
            } else {
                assertEquals(List.of(), slots, "no slot in memory either");
            }
        }
        // The extension's target before attach: dst_prog and attach_func_name from memory, checked
        // against prog info (attach_btf_id) and the target's name.
        Map<String, Object> ext = in.program(p.extensionProgId(), true);
        Map<String, Object> target = map(map(ext.get("kcore")).get("target"));
        assertEquals("stub_handler", target.get("attach_func_name"));
        Map<String, Object> dst = map(target.get("dst_prog"));
        try (BpfProgram e = BpfProgram.fromId(p.extensionProgId()); BpfProgram d = BpfProgram.fromId((Integer) dst.get("id"))) {
            ProgInfo ei = e.info();
            if (ei.attachBtfId() != 0) assertEquals(ei.attachBtfId(), target.get("attach_btf_id"), "attach_btf_id: kcore vs prog info");
            assertEquals("BPF_PROG_TYPE_KPROBE", d.info().typeName());
            assertEquals("k_tcp_connect", dst.get("name"));
        }
        // tail_call_reachable: false wherever the xlated code has no bpf_tail_call.
        for (int id : io.bpf4j.ObjectIds.all(io.bpf4j.ObjectIds.Kind.PROG)) {
            Map<String, Object> k = map(in.program(id, true).get("kcore"));
            if (!k.containsKey("tail_call_reachable")) continue;
            try (BpfProgram prog = BpfProgram.fromId(id)) {
                boolean tailCalls = Disassembler.xlated(Disassembler.Symbols.NONE).dump(prog.xlatedInstructions())
                        .contains("call bpf_tail_call#12");
                if (!tailCalls) assertEquals(false, k.get("tail_call_reachable"), "prog " + id + " has no tail call");
            }
        }
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
