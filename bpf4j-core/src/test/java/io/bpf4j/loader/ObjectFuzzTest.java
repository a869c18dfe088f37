package io.bpf4j.loader;

import static io.bpf4j.fixtures.Rejections.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.core.CoreRelo;
import io.bpf4j.btf.core.CoreRelocator;
import io.bpf4j.btf.core.CoreRelocatorTest;
import io.bpf4j.fixtures.FuzzInputs;
import java.util.Arrays;
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
        for (MapDef m : spec.maps()) {
            if (m.data() != null) assertEquals(m.valueSize(), m.data().length, "map " + m.name() + " data");
        }
        for (Variable v : spec.variables()) {
            MapDef m = spec.map(v.map());
            assertTrue(v.offset() >= 0 && v.size() >= 0 && (long) v.offset() + v.size() <= m.valueSize(),
                    "variable " + Escape.text(v.name()) + " [" + v.offset() + ", +" + v.size() + ") outside " + m.valueSize());
            spec.setVariable(v.name(), new byte[v.size()]);
        }
        spec.copy();
        for (ProgramDef p : spec.programs()) {
            int n = p.instructionCount();
            assertEquals(n * 8, p.instructions().length);
            for (MapRef r : p.mapRefs()) {
                assertTrue(r.insn() >= 0 && r.insn() < n, "map reference at " + r.insn() + " of " + n);
                if (r.map() != null) {
                    assertTrue(r.insn() + 1 < n, "ld_imm64 of " + r.map() + " has its second slot");
                    spec.map(r.map());
                }
            }
            for (BtfExt.FuncInfo f : p.funcInfo()) assertTrue(f.insn() >= 0 && f.insn() < n, "func_info at " + f.insn());
            for (BtfExt.LineInfo l : p.lineInfo()) assertTrue(l.insn() >= 0 && l.insn() < n, "line_info at " + l.insn());
            for (CoreRelo r : p.coreRelos()) assertTrue(r.insn() >= 0 && r.insn() < n, "CO-RE relocation at " + r.insn());
            if (spec.btf() != null && !p.coreRelos().isEmpty()) {
                relocate(spec.btf(), KERNEL, p);
                relocate(spec.btf(), spec.btf(), p);
            }
        }
        return true;
    }

    private static void relocate(Btf local, Btf target, ProgramDef p) {
        byte[] before = p.instructions(), insns = p.instructions();
        List<CoreRelocator.Result> results;
        try {
            results = new CoreRelocator(local, target).relocate(insns, p.coreRelos());
        } catch (BpfFormatException e) {
            assertOneLine(e);
            return;
        }
        assertEquals(p.coreRelos().size(), results.size());
        BitSet touched = new BitSet();
        for (CoreRelocator.Result r : results) {
            String line = r.explain();
            assertTrue(Escape.isPrintable(line), Escape.text(line));
            int i = r.relo().insn();
            touched.set(i);
            if ((before[i * 8] & 0xff) == 0x18) touched.set(i + 1); // ld_imm64: both slots
        }
        for (int i = 0; i < before.length / 8; i++) {
            if (!touched.get(i)) {
                int at = i * 8;
                assertTrue(Arrays.equals(before, at, at + 8, insns, at, at + 8), "instruction " + i + " changed, no relocation names it");
            }
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
