package io.bpf4j.tools.check;

import io.bpf4j.AttachType;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.FuncInfo;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Helper;
import io.bpf4j.asm.JmpOp;
import io.bpf4j.asm.Size;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;

import java.util.List;

import static io.bpf4j.asm.Reg.R0;
import static io.bpf4j.asm.Reg.R1;
import static io.bpf4j.asm.Reg.R10;
import static io.bpf4j.asm.Reg.R2;
import static io.bpf4j.asm.Reg.R3;
import static io.bpf4j.asm.Reg.R6;

/**
 * The programs the tail-call checks are made of, built with our assembler and BTF builder so
 * they load on any kernel without clang: an XDP program whose global subprogram an freplace
 * program can replace, the freplace programs, and plain XDP tail callees.
 *
 * <p>The subprogram takes {@code struct xdp_md *ctx} so an extension sees a context pointer and
 * may call {@code bpf_tail_call(ctx, ...)}. It also calls {@code bpf_xdp_adjust_head(ctx, 0)}:
 * newer kernels (6.13, and 6.12.y: bpf_check_attach_target() in 6.12.117) refuse an extension
 * that may change packet data (a tail call counts) in place of a function that does not
 * ("Extension program changes packet data, while original does not").
 */
public final class TailcallPrograms {
    private TailcallPrograms() {}

    public static final int XDP_PASS = 2;

    /** The name of the replaceable global subprogram in {@link #xdpTarget}. */
    public static final String SUBPROG = "ck_subprog";

    /** A loaded XDP program with a replaceable global subprogram; owns the program and its BTF. */
    public record Target(BpfProgram prog, BtfHandle btf, int subprogBtfId) implements AutoCloseable {
        @Override
        public void close() {
            try (btf; prog) {
                // closes both, program first
            }
        }
    }

    /** BTF ids in a {@link #ctxBtf} blob. */
    private record CtxBtf(BtfBuilder b, int intId, int proto) {}

    /** int, struct xdp_md {} (the kernel matches the context struct by name only), int f(struct xdp_md *ctx). */
    private static CtxBtf ctxBtf() {
        BtfBuilder b = new BtfBuilder();
        int intId = b.addInt("int", 4, BtfType.Int.SIGNED);
        int xdpMd = b.addStruct("xdp_md", 0, List.of());
        int ptr = b.addPtr(xdpMd);
        int proto = b.addFuncProto(intId, List.of(new BtfType.Param("ctx", ptr)));
        return new CtxBtf(b, intId, proto);
    }

    private static List<FuncInfo> funcInfo(int... insnOffAndTypeId) {
        List<FuncInfo> out = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < insnOffAndTypeId.length; i += 2) out.add(new FuncInfo(insnOffAndTypeId[i], insnOffAndTypeId[i + 1]));
        return out;
    }

    /**
     * Loads {@code name}: {@code return ck_subprog(ctx);} where the global {@code ck_subprog}
     * adjusts the head by 0 and returns XDP_PASS.
     */
    public static Target xdpTarget(String name) {
        CtxBtf c = ctxBtf();
        int main = c.b().addFunc(name, c.proto(), BtfType.Linkage.GLOBAL);
        int sub = c.b().addFunc(SUBPROG, c.proto(), BtfType.Linkage.GLOBAL);
        byte[] insns = new Asm()
                .callSubprog("sub").exit()
                .label("sub").mov64(R2, 0).call(Helper.XDP_ADJUST_HEAD)
                .mov64(R0, XDP_PASS).exit().bytes();
        BtfHandle btf = BtfHandle.load(c.b().toBytes());
        try {
            BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.XDP, insns, "GPL").withName(name)
                    .withBtf(btf, funcInfo(0, main, 2, sub), null));
            return new Target(p, btf, sub);
        } catch (RuntimeException e) {
            btf.close();
            throw e;
        }
    }

    /**
     * Loads an freplace (EXT) program for {@code target}'s subprogram, not attached. It has the
     * subprogram's prototype; {@code insns} see the XDP context in r1.
     */
    public static BpfProgram extension(Target target, String name, byte[] insns) {
        CtxBtf c = ctxBtf();
        int f = c.b().addFunc(name, c.proto(), BtfType.Linkage.GLOBAL);
        try (BtfHandle btf = BtfHandle.load(c.b().toBytes())) {
            return BpfProgram.load(ProgramSpec.of(ProgType.EXT, insns, "GPL").withName(name)
                    .withBtf(btf, funcInfo(0, f), null).withAttachProg(target.prog(), target.subprogBtfId()));
        }
    }

    /** {@code bpf_tail_call(ctx, progArray, slot); return XDP_PASS;} (r1 is the context on entry). */
    public static byte[] tailCaller(BpfMap progArray, int slot) {
        return new Asm()
                .ldMapFd(R2, progArray.fd().raw())
                .mov64(R3, slot)
                .call(Helper.TAIL_CALL)
                .mov64(R0, XDP_PASS)
                .exit().bytes();
    }

    /**
     * Loads the tail-call hierarchy probe: {@code if (++counts[0] > guard) return XDP_PASS;
     * sub(ctx); sub(ctx); return XDP_PASS;} where static {@code sub(ctx)} does
     * {@code bpf_tail_call(ctx, jmp, 0)}. Put the program itself in {@code jmp[0]}. It carries
     * BTF func_info because kernels refuse "tail_call is not allowed in subprogs without BTF".
     */
    public static BpfProgram hierarchy(String name, BpfMap jmp, BpfMap counts, int guard) {
        Asm a = new Asm()
                .mov64(R6, R1)
                .st(Size.W, R10, -4, 0)
                .ldMapFd(R1, counts.fd().raw())
                .mov64(R2, R10).add64(R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "out")
                .ldx(Size.DW, R1, R0, 0)
                .add64(R1, 1)
                .stx(Size.DW, R0, 0, R1)
                .jmp(JmpOp.JGT, R1, guard, "out")
                .mov64(R1, R6).callSubprog("sub")
                .mov64(R1, R6).callSubprog("sub")
                .label("out").mov64(R0, XDP_PASS).exit();
        int subSlot = a.slots();
        byte[] insns = a.label("sub")
                .ldMapFd(R2, jmp.fd().raw())
                .mov64(R3, 0)
                .call(Helper.TAIL_CALL)
                .mov64(R0, 0).exit()
                .bytes();
        CtxBtf c = ctxBtf();
        int main = c.b().addFunc(name, c.proto(), BtfType.Linkage.GLOBAL);
        int sub = c.b().addFunc("ck_tail_sub", c.proto(), BtfType.Linkage.STATIC);
        try (BtfHandle btf = BtfHandle.load(c.b().toBytes())) {
            return BpfProgram.load(ProgramSpec.of(ProgType.XDP, insns, "GPL").withName(name)
                    .withBtf(btf, funcInfo(0, main, subSlot, sub), null));
        }
    }

    /** {@code return XDP_PASS;} */
    public static byte[] passing() {
        return new Asm().mov64(R0, XDP_PASS).exit().bytes();
    }

    /** A plain XDP program returning XDP_PASS, loaded with {@code expectedAttachType} (null for none). */
    public static BpfProgram xdp(String name, AttachType expectedAttachType) {
        return BpfProgram.load(ProgramSpec.of(ProgType.XDP, passing(), "GPL").withName(name)
                .withExpectedAttachType(expectedAttachType));
    }

    /** A fresh prog array: nobody owns it until a program uses it or is put in it. */
    public static BpfMap progArray(String name, int slots) {
        return BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, slots).withName(name));
    }
}
