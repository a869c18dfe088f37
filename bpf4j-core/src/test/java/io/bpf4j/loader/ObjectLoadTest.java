package io.bpf4j.loader;

import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.core.CoreRelo;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Loads the committed objects into this host's kernel and runs them with BPF_PROG_TEST_RUN:
 * global data set before load and read back through mmap, BTF maps, bpf-to-bpf calls, and CO-RE
 * relocations against the running kernel's task_struct.
 */
class ObjectLoadTest {
    static final int XDP_DROP = 1, XDP_PASS = 2;

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open after the objects were closed");
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void xdpProgramUpdatesGlobalsAndMapsThroughSubprograms() {
        try (BpfObject o = BpfObject.load(Objects.spec("globals.bpf.o"))) {
            BpfProgram xdp = o.program("xdp_count");
            BpfProgram.TestRunResult r = xdp.testRun(new byte[100], 1);
            assertEquals(XDP_PASS, r.retval(), "verdict from .rodata");
            assertEquals(101, o.variable("packets").get(JAVA_LONG_UNALIGNED, 0), ".data starts at 100");
            assertEquals(100, o.variable("bytes").get(JAVA_LONG_UNALIGNED, 0));
            assertEquals(100, o.variable("last_len").get(JAVA_INT_UNALIGNED, 0));
            assertEquals(10, o.variable("custom_counter").get(JAVA_LONG_UNALIGNED, 0), ".data.custom 7 + .rodata.custom 3");
            assertEquals(1, o.variable("static_hits").get(JAVA_INT_UNALIGNED, 0));
            assertEquals(1, u64(o.map("lens").lookup(u32(100)).orElseThrow()), "static subprogram add_len");
            assertEquals(1, u64(o.map("slots").lookup(u32(0)).orElseThrow()), "global subprogram count_slot");

            xdp.testRun(new byte[60], 1);
            assertEquals(102, o.variable("packets").get(JAVA_LONG_UNALIGNED, 0));
            assertEquals(160, o.variable("bytes").get(JAVA_LONG_UNALIGNED, 0));
            // Writes through the mapping are what the program sees next.
            o.variable("packets").set(JAVA_LONG_UNALIGNED, 0, 1000);
            xdp.testRun(new byte[60], 1);
            assertEquals(1001, o.variable("packets").get(JAVA_LONG_UNALIGNED, 0));
            assertEquals(2, u64(o.map("lens").lookup(u32(60)).orElseThrow()));
        }
    }

    @Test
    void aKfuncCallIsBoundToTheRunningKernelsFunction() {
        // bpf_cast_to_kern_ctx came with Linux 6.2 (fd264ca02094) for every program type.
        Assumptions.assumeTrue(Btf.kernel().findByName("bpf_cast_to_kern_ctx", BtfKind.FUNC).isPresent(),
                "this kernel has no bpf_cast_to_kern_ctx (Linux 6.2+)");
        try (BpfObject o = BpfObject.load(Objects.spec("kfunc.bpf.o"))) {
            BpfProgram p = o.program("kern_ctx");
            assertEquals(XDP_PASS, p.testRun(new byte[64], 1).retval(), "read 64 bytes of packet through struct xdp_buff");
            assertEquals(XDP_DROP, p.testRun(new byte[100], 1).retval());
        }
    }

    @Test
    void aKfuncTheKernelLacksIsNamed() {
        ObjectSpec spec = Objects.spec("kfunc.bpf.o");
        Btf noKfuncs = Btf.parse(new io.bpf4j.btf.BtfBuilder().toBytes());
        var e = assertThrows(io.bpf4j.BpfException.class, () -> BpfObject.load(spec, LoadOptions.defaults().withKernelBtf(noKfuncs)));
        assertTrue(e.getMessage().contains("kfunc bpf_cast_to_kern_ctx not found"), e.getMessage());
    }

    @Test
    void aKprobeOffsetThatIsNoNumberIsNamed() {
        ObjectSpec spec = Objects.spec("globals.bpf.o").updateProgram("kprobe_nanosleep", p -> p.withAttachTarget("do_nanosleep+xyz"));
        try (BpfObject o = BpfObject.load(spec)) {
            var e = assertThrows(io.bpf4j.BpfException.class, () -> o.attach("kprobe_nanosleep").close());
            assertEquals("attach kprobe_nanosleep: kprobe target do_nanosleep+xyz: offset xyz is not a number", e.getMessage());
        }
    }

    /**
     * many.bpf.o: thirty programs each linked with the same two subprograms, whose func_info and
     * line_info records are moved to where each program placed them; the kernel checks that
     * layout on every load (func_info must match the subprogram boundaries).
     */
    @Test
    void thirtyProgramsSharingSubprogramsLoadWithTheirBtfLineAndFuncInfo() {
        ObjectSpec spec = Objects.spec("many.bpf.o");
        assertEquals(30, spec.programs().size());
        try (BpfObject o = BpfObject.load(spec)) {
            for (var p : spec.programs()) {
                assertEquals(List.of("account", "classify"), p.subprograms(), p.name());
                assertEquals(3, p.funcInfo().size(), p.name());
                assertEquals(3, o.program(p.name()).info().funcInfo().size(), p.name() + ": the kernel kept one func_info per function");
            }
            assertEquals(XDP_PASS, o.program("xdp_7").testRun(new byte[100], 1).retval());
            assertEquals(XDP_DROP, o.program("xdp_7").testRun(new byte[600], 1).retval(), "classify says big");
            // Socket filters see the packet without its 14-byte Ethernet header: 86 bytes, classify 1.
            assertEquals(87, o.program("sock_20").testRun(new byte[100], 1).retval());
            MemorySegment seen = o.variable("seen");
            assertEquals(700, seen.get(JAVA_LONG_UNALIGNED, 7 * 8L), "xdp_7 added 100 + 600 through account()");
            assertEquals(86, seen.get(JAVA_LONG_UNALIGNED, 20 * 8L));
        }
    }

    @Test
    void rodataSetBeforeLoadChangesTheVerdict() {
        ObjectSpec spec = Objects.spec("globals.bpf.o");
        spec.setVariable("magic", 0x1234);
        try (BpfObject o = BpfObject.load(spec)) {
            assertEquals(XDP_DROP, o.program("xdp_count").testRun(new byte[64], 1).retval());
            assertEquals(0x1234, o.variable("magic").get(JAVA_LONG_UNALIGNED, 0));
            // .rodata is frozen: programs cannot write it and neither can we.
            assertThrows(io.bpf4j.BpfException.class, () -> o.map(".rodata").update(u32(0), new byte[16], BpfMap.ANY));
        }
        spec.setVariable("magic", 0).setVariable("verdict", XDP_DROP);
        try (BpfObject o = BpfObject.load(spec)) {
            assertEquals(XDP_DROP, o.program("xdp_count").testRun(new byte[64], 1).retval());
        }
    }

    @Test
    void socketFilterAndKprobeLoadWithSharedMapsAndKernelNames() {
        try (BpfObject o = BpfObject.load(Objects.spec("globals.bpf.o"))) {
            assertEquals(64, o.program("sock_len").testRun(new byte[200], 1).retval());
            // The test run strips the 14-byte Ethernet header: skb->len is 20 - 14.
            assertEquals(6, o.program("sock_len").testRun(new byte[20], 1).retval());
            assertEquals(2, u64(o.map("slots").lookup(u32(1)).orElseThrow()));
            assertEquals(1, u64(o.map("lens").lookup(u32(1186)).orElseThrow()));
            assertEquals("kprobe_nanoslee", o.program("kprobe_nanosleep").info().name(), "15-char kernel name");
            assertEquals("globals.rodata", o.map(".rodata").info().name());
            assertEquals(".data.custom", o.map(".data.custom").info().name());
            assertTrue(o.program("xdp_count").info().btfId() > 0, "loaded with the object's BTF");
            assertEquals(3, o.program("xdp_count").info().funcInfo().size(), "func_info for the program and two subprograms");
        }
    }

    @Test
    void aMapOfOneObjectReplacesTheSameMapOfAnother() {
        try (BpfObject first = BpfObject.load(Objects.spec("globals.bpf.o"));
             BpfObject second = BpfObject.load(Objects.spec("globals.bpf.o"),
                     LoadOptions.defaults().replaceMap("slots", first.map("slots")))) {
            second.program("xdp_count").testRun(new byte[64], 1);
            second.program("xdp_count").testRun(new byte[64], 1);
            first.program("xdp_count").testRun(new byte[64], 1);
            assertEquals(3, u64(first.map("slots").lookup(u32(0)).orElseThrow()), "both objects count in one map");
            assertEquals(first.map("slots").id(), second.map("slots").id());
            // The first object's .bss is its own.
            assertEquals(1, first.variable("static_hits").get(JAVA_INT_UNALIGNED, 0));
        }
    }

    @Test
    void anIncompatibleReplacementIsRefused() {
        try (BpfObject first = BpfObject.load(Objects.spec("globals.bpf.o"))) {
            var e = assertThrows(io.bpf4j.BpfException.class, () -> BpfObject.load(Objects.spec("globals.bpf.o"),
                    LoadOptions.defaults().replaceMap("lens", first.map("slots"))));
            assertTrue(e.getMessage().contains("map lens") && e.getMessage().contains("incompatible"), e.getMessage());
        }
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    static long tid() throws Exception {
        Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
        return Long.parseLong(self.getFileName().toString());
    }

    @Test
    void coreRelocationsResolveAgainstTheRunningKernel() throws Exception {
        ObjectSpec spec = Objects.spec("core.bpf.o");
        spec.updateProgram("core_missing", p -> p.withAutoload(false));
        Btf k = Btf.kernel();
        BtfType task = k.findByName("task_struct", BtfKind.STRUCT).orElseThrow();
        try (BpfObject o = BpfObject.load(spec)) {
            o.program("core_read").testRun(null, new byte[16], 0);
            MemorySegment res = o.variable("res");
            long[] v = new long[21];
            for (int i = 0; i < v.length; i++) v[i] = res.get(JAVA_LONG_UNALIGNED, i * 8L);
            assertEquals(pid(), v[0], "task->tgid through CO-RE is this process");
            assertEquals(tid(), v[1], "task->pid is this thread");
            assertEquals(k.memberByPath(task, "tgid").orElseThrow().byteOffset(), v[2]);
            assertEquals(4, v[3]);
            assertEquals(1, v[4], "tgid exists");
            assertEquals(0, v[5], "a field no kernel has does not exist");
            assertEquals(k.sizeOf(task), v[6]);
            assertEquals(1, v[7]);
            assertEquals(0, v[8], "a type no kernel has does not exist");
            assertEquals(1, v[9], "BPF_MAP_TYPE_RINGBUF exists");
            assertEquals(io.bpf4j.MapType.RINGBUF.value(), v[10]);
            assertEquals(0, v[11]);
            assertEquals(1, v[12], "pid_t is signed");
            assertEquals(tid(), v[13], "task_struct___mine matched task_struct by its essential name");
            assertEquals(task.id(), v[14], "bpf_core_type_id_kernel");
            Btf.Field bf = k.memberByPath(task, "sched_reset_on_fork").orElseThrow();
            long bitOff = bf.bitOffset(), byteSz = 4, byteOff = bitOff / 8 / byteSz * byteSz;
            assertEquals(byteOff, v[16]);
            assertEquals(byteSz, v[17]);
            assertEquals(64 - (bitOff + 1 - byteOff * 8), v[18], "lshift");
            assertEquals(63, v[19], "rshift");
            assertEquals(10, v[20], "the bitfield read with probed CO-RE is 0 for a Java thread");
            assertTrue(o.coreRelocations("core_read").stream().noneMatch(CoreRelocatorResult::poisoned));
        }
    }

    /** For the method reference above. */
    interface CoreRelocatorResult {
        static boolean poisoned(io.bpf4j.btf.core.CoreRelocator.Result r) {
            return r.poisoned();
        }
    }

    @Test
    void aReachableFailedRelocationIsNamedInTheVerifierError() {
        ObjectSpec spec = Objects.spec("core.bpf.o");
        spec.updateProgram("core_read", p -> p.withAutoload(false));
        var e = assertThrows(io.bpf4j.VerifierException.class, () -> BpfObject.load(spec));
        assertTrue(e.getMessage().contains("field_not_in_any_kernel"), e.getMessage());
        assertTrue(e.getMessage().contains("byte_off"), e.getMessage());
        assertTrue(e.log().contains("unknown#195896080"), "the verifier saw libbpf's poison call");
        assertEquals(CoreRelo.Kind.FIELD_BYTE_OFFSET, spec.program("core_missing").coreRelos().getFirst().kind());
    }
}
