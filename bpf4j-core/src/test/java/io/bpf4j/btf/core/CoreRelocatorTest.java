package io.bpf4j.btf.core;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Insn;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * core.bpf.o's relocations (compiled against 6.18's task_struct) applied to a made-up kernel
 * whose task_struct is small and laid out differently: no kernel needed, every value known.
 */
public class CoreRelocatorTest {
    /** struct task_struct { int pad[7]; unsigned int flags:3, sched_reset_on_fork:1; long x; int pid; int tgid; } and friends. */
    public static Btf fakeKernel() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.addInt("int", 4, BtfType.Int.SIGNED);
        int u32 = b.addInt("unsigned int", 4, 0);
        int i64 = b.addInt("long", 8, BtfType.Int.SIGNED);
        int pidT = b.addTypedef("pid_t", i32);
        int arr = b.addArray(i32, u32, 7);
        // kind_flag encoding: bitfield size in the top 8 bits of the offset.
        int task = b.add(new BtfType.Struct(0, "task_struct", 48, List.of(
                new BtfType.Member("pad", arr, 0, 0),
                new BtfType.Member("flags", u32, 7 * 32, 3),
                new BtfType.Member("sched_reset_on_fork", u32, 7 * 32 + 3, 1),
                new BtfType.Member("x", i64, 256, 0),
                new BtfType.Member("pid", pidT, 320, 0),
                new BtfType.Member("tgid", pidT, 352, 0)), true));
        b.addEnum("bpf_map_type", 4, false, List.of(new BtfType.EnumValue("BPF_MAP_TYPE_UNSPEC", 0),
                new BtfType.EnumValue("BPF_MAP_TYPE_RINGBUF", 77)));
        assertEquals(6, task);
        return b.build();
    }

    static int imm(byte[] insns, int i) {
        int p = i * 8 + 4;
        return (insns[p] & 0xff) | (insns[p + 1] & 0xff) << 8 | (insns[p + 2] & 0xff) << 16 | (insns[p + 3] & 0xff) << 24;
    }

    @Test
    void fieldTypeAndEnumRelocationsFollowTheTargetLayout() {
        ObjectSpec spec = ObjectSpec.resource("/io/bpf4j/loader/core.bpf.o");
        ProgramSpec p = spec.program("core_read");
        Btf target = fakeKernel();
        CoreRelocator.Relocated relocated = new CoreRelocator(spec.btf(), target).relocate(p.instructions(), p.coreRelos());
        byte[] insns = Insn.encode(relocated.instructions());
        List<CoreRelocator.Result> rs = relocated.results();
        assertEquals(p.coreRelos().size(), rs.size());
        Map<String, Long> byKindAndAccess = rs.stream().collect(Collectors.toMap(
                r -> r.relo().kind() + " " + r.relo().access() + " " + r.relo().typeId(), CoreRelocator.Result::newValue, (a, b) -> {
                    assertEquals(a, b);
                    return a;
                }));
        int task = p.coreRelos().stream().filter(r -> r.kind() == CoreRelo.Kind.TYPE_SIZE).findFirst().orElseThrow().typeId();
        BtfType.Struct local = (BtfType.Struct) spec.btf().typeById(task);
        Function<String, String> acc = name -> {
            for (int i = 0; i < local.members().size(); i++) if (local.members().get(i).name().equals(name)) return "0:" + i;
            throw new AssertionError(name);
        };
        assertEquals(44L, byKindAndAccess.get("FIELD_BYTE_OFFSET " + acc.apply("tgid") + " " + task));
        assertEquals(40L, byKindAndAccess.get("FIELD_BYTE_OFFSET " + acc.apply("pid") + " " + task));
        assertEquals(4L, byKindAndAccess.get("FIELD_BYTE_SIZE " + acc.apply("tgid") + " " + task));
        assertEquals(1L, byKindAndAccess.get("FIELD_EXISTS " + acc.apply("tgid") + " " + task));
        assertEquals(1L, byKindAndAccess.get("FIELD_SIGNED " + acc.apply("tgid") + " " + task), "pid_t is a signed int");
        assertEquals(48L, byKindAndAccess.get("TYPE_SIZE 0 " + task));
        assertEquals(1L, byKindAndAccess.get("TYPE_EXISTS 0 " + task));
        assertEquals(6L, byKindAndAccess.get("TYPE_ID_TARGET 0 " + task));
        // sched_reset_on_fork: bit 227 of the struct -> read 4 bytes at 28, shift left 64-(227+1-224), right 63.
        String bf = acc.apply("sched_reset_on_fork");
        assertEquals(28L, byKindAndAccess.get("FIELD_BYTE_OFFSET " + bf + " " + task));
        assertEquals(4L, byKindAndAccess.get("FIELD_BYTE_SIZE " + bf + " " + task));
        assertEquals(60L, byKindAndAccess.get("FIELD_LSHIFT_U64 " + bf + " " + task));
        assertEquals(63L, byKindAndAccess.get("FIELD_RSHIFT_U64 " + bf + " " + task));
        // Enum value by name, not by the compiler's number.
        assertTrue(rs.stream().anyMatch(r -> r.relo().kind() == CoreRelo.Kind.ENUMVAL_VALUE && r.newValue() == 77 && r.localValue() == 27));
        // Things this kernel lacks: existence answers 0, nothing is poisoned.
        assertTrue(rs.stream().noneMatch(CoreRelocator.Result::poisoned));
        assertEquals(3, rs.stream().filter(r -> r.relo().kind().existence() && r.newValue() == 0).count(),
                "missing field, missing type, missing enum value");
        // The patched instruction holds the new offset.
        CoreRelocator.Result off = rs.stream().filter(r -> r.relo().kind() == CoreRelo.Kind.FIELD_BYTE_OFFSET
                && r.relo().access().equals(acc.apply("tgid"))).findFirst().orElseThrow();
        assertEquals(44, imm(insns, off.relo().insn()));
        assertNotEquals(44, imm(Insn.encode(p.instructions()), off.relo().insn()), "the spec's instructions are untouched");
        assertEquals(insns.length, Insn.encode(p.instructions()).length, "no instruction gained or lost a slot");
    }

    @Test
    void aFieldNoKernelHasPoisonsTheInstructionAsLibbpfDoes() {
        ObjectSpec spec = ObjectSpec.resource("/io/bpf4j/loader/core.bpf.o");
        ProgramSpec p = spec.program("core_missing");
        CoreRelocator.Relocated relocated = new CoreRelocator(spec.btf(), fakeKernel()).relocate(p.instructions(), p.coreRelos());
        byte[] insns = Insn.encode(relocated.instructions());
        List<CoreRelocator.Result> rs = relocated.results();
        CoreRelocator.Result r = rs.getFirst();
        assertTrue(r.poisoned());
        int at = r.relo().insn();
        assertEquals(0x85, insns[at * 8] & 0xff, "call");
        assertEquals(CoreRelocator.POISON_IMM, imm(insns, at));
        assertTrue(r.explain().contains("field_not_in_any_kernel") && r.explain().contains("task_struct___mine"), r.explain());
    }

    @Test
    void flavorsAreMatchedByEssentialName() {
        assertEquals("task_struct", CoreRelocator.essential("task_struct___mine"));
        assertEquals("task_struct", CoreRelocator.essential("task_struct"));
        assertEquals("a__b", CoreRelocator.essential("a__b"));
    }
}
