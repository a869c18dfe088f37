package io.bpf4j.asm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.fixtures.FuzzInputs;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.bpf4j.fixtures.Rejections.assertOneLine;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Instruction bytes from anywhere: garbage in, only a one-line {@link BpfFormatException} out;
 * whatever decodes re-encodes to the same bytes and decodes the same from a MemorySegment; both
 * disassemblers print any whole-slot stream, one printable line per instruction, and print the
 * decoded instructions as they print the bytes. {@link #decodeDisassembleEncode} is the
 * coverage-guided target (Jazzer; {@code InsnFuzzTestInputs/} is replayed by {@code mvn test});
 * the seeded loops below keep covering every form's near misses without a corpus.
 */
class InsnFuzzTest {

    @FuzzTest
    void decodeDisassembleEncode(byte[] data) {
        decodes(data);
    }

    /** The committed corpus decodes often enough to exercise the round trip, not only the checks. */
    @Test
    void theCommittedCorpusIsMostlyDecodable() {
        List<byte[]> inputs = FuzzInputs.of(InsnFuzzTest.class, "decodeDisassembleEncode");
        int decoded = 0;
        for (byte[] in : inputs) if (decodes(in)) decoded++;
        assertTrue(inputs.size() >= 50 && decoded * 4 >= inputs.size(), decoded + " of " + inputs.size() + " inputs decoded");
    }

    private static final Disassembler XLATED = Disassembler.xlated(Disassembler.Symbols.NONE);
    private static final Disassembler ORIGINAL = Disassembler.original(Disassembler.Symbols.NONE);

    @Test
    void randomBytesDecodeOrFailWithFormatExceptionOnly() {
        SplittableRandom rnd = new SplittableRandom(0xb9f4);
        int decoded = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[rnd.nextInt(0, 8 * 12 + 1)];
            for (int i = 0; i < b.length; i++) b[i] = (byte) rnd.nextInt(256);
            if (decodes(b)) decoded++;
        }
        assertTrue(decoded > 0, "some random streams should decode");
    }

    /**
     * Near-valid programs (valid slots with one field changed) reach the success paths and the
     * checks deep in each form, not only the first opcode check.
     */
    @Test
    void nearValidProgramsRoundTripOrFailCleanly() {
        java.util.List<byte[]> forms = InsnTest.everyForm().stream().map(Insn::encode).toList();
        SplittableRandom rnd = new SplittableRandom(42);
        int decoded = 0;
        for (int n = 0; n < 20_000; n++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int k = rnd.nextInt(1, 5); k > 0; k--) out.writeBytes(forms.get(rnd.nextInt(forms.size())));
            byte[] b = out.toByteArray();
            if (rnd.nextBoolean()) {
                int at = rnd.nextInt(b.length / 8) * 8;
                switch (rnd.nextInt(5)) {
                    case 0 -> b[at] = (byte) rnd.nextInt(256);
                    case 1 -> b[at + 1] = (byte) rnd.nextInt(256);
                    case 2 -> b[at + 2 + rnd.nextInt(2)] = (byte) rnd.nextInt(256);
                    case 3 -> b[at + 4 + rnd.nextInt(4)] = (byte) rnd.nextInt(256);
                    default -> b[at + 4] = (byte) new int[] {0, 1, 8, 16, 32, 64, 0xe1, 0xf1, 0x41}[rnd.nextInt(9)];
                }
            }
            if (decodes(b)) decoded++;
        }
        assertTrue(decoded > 10_000, "only " + decoded + " near-valid programs decoded; the generator is too weak");
    }

    @Test
    void everyTruncationOfEveryFormFailsCleanly() {
        byte[] all = Insn.encode(InsnTest.everyForm());
        for (int len = 0; len <= all.length; len++) {
            byte[] cut = Arrays.copyOf(all, len);
            boolean ok = decodes(cut);
            if (len % 8 != 0) assertFalse(ok, "a stream of " + len + " bytes must not decode");
        }
        // an ld_imm64 cut after its first slot is the one whole-slot truncation that must fail
        byte[] ld = new Insn.LdImm64(Reg.R1, 7).encode();
        assertThrows(BpfFormatException.class, () -> Insn.decode(Arrays.copyOf(ld, 8)));
    }

    @Test
    void bitFlipsOfValidProgramsFailCleanly() {
        byte[] all = Insn.encode(InsnTest.everyForm());
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n = 0; n < 20_000; n++) {
            int from = rnd.nextInt(all.length / 8) * 8;
            byte[] b = Arrays.copyOfRange(all, from, Math.min(all.length, from + 8 * rnd.nextInt(1, 6)));
            for (int k = rnd.nextInt(1, 4); k > 0; k--) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            decodes(b);
        }
    }

    /**
     * Decodes and disassembles {@code b}, allowing only {@link BpfFormatException}; checks that a
     * successful decode re-encodes to {@code b}. Returns whether it decoded.
     */
    private static boolean decodes(byte[] b) {
        boolean decoded;
        List<Insn> insns = null;
        try {
            insns = Insn.decode(b);
            assertArrayEquals(b, Insn.encode(insns), () -> InsnTest.hex(b));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment seg = a.allocate(Math.max(1, b.length));
                MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
                assertEquals(insns, Insn.decode(seg.asSlice(0, b.length)), "decode from a MemorySegment");
            }
            decoded = true;
        } catch (BpfFormatException e) {
            assertOneLine(e);
            decoded = false;
        }
        for (Disassembler d : new Disassembler[] {XLATED, ORIGINAL}) {
            try {
                List<String> lines = d.lines(b);
                assertEquals(countInsns(b), lines.size());
                for (String l : lines) assertTrue(Escape.isPrintable(l), () -> Escape.text(l));
                if (insns != null) assertEquals(lines, d.lines(insns), "disassembly of the decoded instructions");
            } catch (BpfFormatException e) {
                assertOneLine(e);
                boolean cutLdImm64 = b.length % 8 == 0 && endsInCutLdImm64(b);
                assertTrue(b.length % 8 != 0 || cutLdImm64, "disassembler rejected a whole stream: " + e.getMessage());
                assertFalse(decoded);
            }
        }
        return decoded;
    }

    private static int countInsns(byte[] b) {
        int n = 0;
        for (int s = 0; s < b.length / 8; s++, n++) if ((b[s * 8] & 0xff) == 0x18) s++;
        return n;
    }

    private static boolean endsInCutLdImm64(byte[] b) {
        int s = 0, last = -1;
        while (s < b.length / 8) {
            last = s;
            s += (b[s * 8] & 0xff) == 0x18 ? 2 : 1;
        }
        return last >= 0 && s > b.length / 8;
    }
}
