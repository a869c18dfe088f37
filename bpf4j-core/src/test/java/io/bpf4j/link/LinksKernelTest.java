package io.bpf4j.link;

import io.bpf4j.AttachType;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.FuncInfo;
import io.bpf4j.LinkType;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.AtomicOp;
import io.bpf4j.asm.Helper;
import io.bpf4j.asm.Size;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static io.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Attach types this host refuses (fentry/fexit, kprobe, freplace), run in the kernel lab on
 * every lab kernel. The traced function is bpf_fentry_test1(), which the kernel calls once per
 * BPF_PROG_TEST_RUN of a tracing program (since 5.5), so the expected count is known exactly.
 */
@Tag("kernel")
class LinksKernelTest {
    static final String TARGET = "bpf_fentry_test1";

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static long u64At(BpfMap m, int key) {
        return ByteBuffer.wrap(m.lookup(u32(key)).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Adds 1 to counts[slot]; if {@code retArg >= 0}, also stores ctx[retArg] into counts[slot + 1]. */
    static byte[] counter(BpfMap counts, int slot, int retArg) {
        Asm a = new Asm()
                .mov64(R6, R1)
                .st(Size.W, R10, -4, slot)
                .ldMapFd(R1, counts.fd().raw())
                .mov64(R2, R10).add64(R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "out")
                .mov64(R1, 1)
                .atomic(Size.DW, AtomicOp.ADD, R0, 0, R1);
        if (retArg >= 0) {
            a.ldx(Size.DW, R7, R6, retArg * 8)
                    .st(Size.W, R10, -4, slot + 1)
                    .ldMapFd(R1, counts.fd().raw())
                    .mov64(R2, R10).add64(R2, -4)
                    .call(Helper.MAP_LOOKUP_ELEM)
                    .jeq(R0, 0, "out")
                    .stx(Size.DW, R0, 0, R7);
        }
        return a.label("out").mov64(R0, 0).exit().bytes();
    }

    static BpfProgram tracing(AttachType type, String name, byte[] insns) {
        int id = Btf.kernel().findByName(TARGET, BtfKind.FUNC).orElseThrow(
                () -> new AssertionError(TARGET + " missing from vmlinux BTF")).id();
        return BpfProgram.load(ProgramSpec.of(ProgType.TRACING, insns, "GPL").withName(name)
                .withExpectedAttachType(type).withAttachBtf(null, id));
    }

    @Test
    void fentryAndFexitCountEachCallAndSeeTheReturnValue() {
        try (BpfMap counts = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4));
             BpfProgram entry = tracing(AttachType.TRACE_FENTRY, "t_fentry", counter(counts, 0, -1));
             BpfProgram exit = tracing(AttachType.TRACE_FEXIT, "t_fexit", counter(counts, 1, 1))) {
            try (BpfLink l1 = Links.tracing(entry); BpfLink l2 = Links.tracing(exit)) {
                assertEquals(LinkType.TRACING, l1.info().type());
                for (int i = 0; i < 5; i++) entry.testRun(null, null, 1); // calls bpf_fentry_test1(1)
                assertEquals(5, u64At(counts, 0), "fentry count");
                assertEquals(5, u64At(counts, 1), "fexit count");
                assertEquals(2, u64At(counts, 2), "bpf_fentry_test1(1) returns 2");
            }
            entry.testRun(null, null, 1);
            assertEquals(5, u64At(counts, 0), "detached: no more counts");
        }
    }

    @Test
    void kprobeAndKretprobeCountEachCall() {
        try (BpfMap counts = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4));
             BpfProgram trigger = tracing(AttachType.TRACE_FENTRY, "t_trigger", TestPrograms.returning(0));
             BpfProgram kp = TestPrograms.load(ProgType.KPROBE, "t_kprobe", counter(counts, 0, -1));
             BpfProgram krp = TestPrograms.load(ProgType.KPROBE, "t_kretprobe", counter(counts, 1, -1))) {
            try (BpfLink a = Links.kprobe(kp, TARGET, 0, false); BpfLink b = Links.kprobe(krp, TARGET, 0, true)) {
                for (int i = 0; i < 7; i++) trigger.testRun(null, null, 1);
                assertEquals(7, u64At(counts, 0), "kprobe count");
                assertEquals(7, u64At(counts, 1), "kretprobe count");
            }
            trigger.testRun(null, null, 1);
            assertEquals(7, u64At(counts, 0), "detached");
        }
    }

    @Test
    void freplaceReplacesAGlobalSubprogramOfAnXdpProgram() {
        // XDP program: main calls global int sub(int x) which returns XDP_PASS.
        BtfBuilder b = new BtfBuilder();
        int intId = b.addInt("int", 4, 1);
        int subProto = b.addFuncProto(intId, List.of(new BtfType.Param("x", intId)));
        int mainProto = b.addFuncProto(intId, List.of());
        int main = b.addFunc("xdp_main", mainProto, BtfType.Linkage.STATIC);
        int sub = b.addFunc("sub", subProto, BtfType.Linkage.GLOBAL);
        byte[] insns = new Asm()
                .mov64(R1, 0).callSubprog("sub").exit()
                .label("sub").mov64(R0, TestPrograms.XDP_PASS).exit().bytes();
        List<FuncInfo> funcInfo = List.of(new FuncInfo(0, main), new FuncInfo(3, sub));
        // Extension: same prototype, returns XDP_TX.
        BtfBuilder e = new BtfBuilder();
        int eInt = e.addInt("int", 4, 1);
        int eProto = e.addFuncProto(eInt, List.of(new BtfType.Param("x", eInt)));
        int eFunc = e.addFunc("new_sub", eProto, BtfType.Linkage.GLOBAL);
        List<FuncInfo> eInfo = List.of(new FuncInfo(0, eFunc));
        byte[] packet = new byte[64];
        try (BtfHandle btf = BtfHandle.load(b.toBytes()); BtfHandle ebtf = BtfHandle.load(e.toBytes());
             BpfProgram xdp = BpfProgram.load(ProgramSpec.of(ProgType.XDP, insns, "GPL").withName("t_xdp_main")
                     .withBtf(btf, funcInfo, null))) {
            assertEquals(TestPrograms.XDP_PASS, xdp.testRun(packet, 1).retval());
            try (BpfProgram ext = BpfProgram.load(ProgramSpec.of(ProgType.EXT,
                    TestPrograms.returning(TestPrograms.XDP_TX), "GPL").withName("t_new_sub")
                    .withBtf(ebtf, eInfo, null).withAttachProg(xdp, sub))) {
                assertEquals(ProgType.EXT, ext.info().type());
                try (BpfLink l = Links.freplace(ext, xdp, sub)) {
                    assertEquals(TestPrograms.XDP_TX, xdp.testRun(packet, 1).retval(), "sub replaced");
                    assertEquals(LinkType.TRACING, l.info().type());
                }
                assertEquals(TestPrograms.XDP_PASS, xdp.testRun(packet, 1).retval(), "link closed: original back");
            }
        }
    }
}
