package io.bpf4j.loader;

import static io.bpf4j.fixtures.Rejections.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.FuncInfo;
import io.bpf4j.LineInfo;
import io.bpf4j.MapSpec;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Insn;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.core.CoreRelo;
import io.bpf4j.btf.core.CoreRelocator;
import io.bpf4j.btf.core.CoreRelocatorTest;
import io.bpf4j.fixtures.FuzzInputs;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BPF objects from any bytes, through everything that happens before the kernel sees them: ELF,
 * BTF, .BTF.ext, maps from BTF, global data, linking subprograms, then CO-RE relocation of every
 * program against a fixed made-up kernel ({@link CoreRelocatorTest#fakeKernel()}) and against
 * the object's own BTF. Properties: rejections are one-line format errors (never ObjectSpec's
 * safety net); what is accepted is what the loader relies on (every instruction index of a map
 * reference, func_info, line_info and CO-RE record inside its program, every variable inside its
 * map); relocation touches only the instructions its records name.
 */
class ObjectFuzzTest {
    private static final Btf KERNEL = CoreRelocatorTest.fakeKernel();

    /** Returns whether the object was accepted. */
    static boolean check(byte[] data) {
        ObjectSpec spec;
        try {
            spec = ObjectSpec.parse(data, "fuzz");
        } catch (BpfFormatException e) {
            assertOneLine(e);
            return false;
        }
        for (MapSpec m : spec.maps()) {
            if (m.contents() != null) assertEquals(m.valueSize(), m.contents().byteSize(), "map " + m.name() + " data");
        }
        for (Variable v : spec.variables()) {
            MapSpec m = spec.map(v.map());
            assertTrue(v.offset() >= 0 && v.size() >= 0 && (long) v.offset() + v.size() <= m.valueSize(),
                    "variable " + Escape.text(v.name()) + " [" + v.offset() + ", +" + v.size() + ") outside " + m.valueSize());
            spec.setVariable(v.name(), new byte[v.size()]);
        }
        spec.copy();
        for (ProgramSpec p : spec.programs()) {
            int n = slots(p.instructions());
            for (ProgramSpec.Reference r : p.references()) {
                assertTrue(r.insn() >= 0 && r.insn() < n, "reference at " + r.insn() + " of " + n);
                if (r.kind() == ProgramSpec.Reference.Kind.MAP) {
                    assertTrue(r.insn() + 1 < n, "ld_imm64 of " + r.symbol() + " has its second slot");
                    spec.map(r.symbol());
                }
            }
            for (FuncInfo f : p.funcInfo()) assertTrue(f.insnOff() >= 0 && f.insnOff() < n, "func_info at " + f.insnOff());
            for (LineInfo l : p.lineInfo()) assertTrue(l.insnOff() >= 0 && l.insnOff() < n, "line_info at " + l.insnOff());
            for (CoreRelo r : p.coreRelos()) assertTrue(r.insn() >= 0 && r.insn() < n, "CO-RE relocation at " + r.insn());
            if (spec.btf() != null && !p.coreRelos().isEmpty()) {
                relocate(spec.btf(), KERNEL, p);
                relocate(spec.btf(), spec.btf(), p);
            }
        }
        return true;
    }

    private static int slots(List<Insn> insns) {
        int n = 0;
        for (Insn i : insns) n += i.slots();
        return n;
    }

    /** Each instruction by the slot it starts at; null for an ld_imm64's second slot. */
    private static Insn[] bySlot(List<Insn> insns) {
        Insn[] out = new Insn[slots(insns)];
        int at = 0;
        for (Insn i : insns) {
            out[at] = i;
            at += i.slots();
        }
        return out;
    }

    private static void relocate(Btf local, Btf target, ProgramSpec p) {
        CoreRelocator.Relocated done;
        try {
            done = new CoreRelocator(local, target).relocate(p.instructions(), p.coreRelos());
        } catch (BpfFormatException e) {
            assertOneLine(e);
            return;
        }
        assertEquals(p.coreRelos().size(), done.results().size());
        Insn[] before = bySlot(p.instructions()), after = bySlot(done.instructions());
        assertEquals(before.length, after.length, "relocation keeps every slot (no jump moves)");
        BitSet touched = new BitSet();
        for (CoreRelocator.Result r : done.results()) {
            String line = r.explain();
            assertTrue(Escape.isPrintable(line), Escape.text(line));
            int i = r.relo().insn();
            touched.set(i);
            if (before[i] != null && before[i].slots() == 2) touched.set(i + 1); // ld_imm64: both slots
        }
        for (int i = 0; i < before.length; i++) {
            if (!touched.get(i)) assertEquals(before[i], after[i], "instruction " + i + " changed, no relocation names it");
        }
    }

    @FuzzTest
    void parseAndRelocate(byte[] data) {
        check(data);
    }

    /** Most of the committed corpus is accepted: the target reaches the linker and the relocator. */
    @Test
    void theCommittedCorpusReachesTheLinkerAndTheRelocator() {
        List<byte[]> inputs = FuzzInputs.of(ObjectFuzzTest.class, "parseAndRelocate");
        int accepted = 0;
        for (byte[] in : inputs) if (check(in)) accepted++;
        assertTrue(inputs.size() >= 20 && accepted * 4 >= inputs.size(), accepted + " of " + inputs.size() + " inputs accepted");
    }
}
