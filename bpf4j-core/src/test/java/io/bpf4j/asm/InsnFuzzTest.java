package io.bpf4j.asm;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded, bounded fuzzing: garbage in, only {@link BpfFormatException} out; whatever decodes
 * re-encodes to the same bytes; the disassembler prints any whole-slot stream.
 */
class FuzzTest {

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
        try {
            var insns = Insn.decode(b);
            assertArrayEquals(b, Insn.encode(insns), () -> InsnTest.hex(b));
            decoded = true;
        } catch (BpfFormatException e) {
            assertNotNull(e.getMessage());
            decoded = false;
        }
        for (Disassembler d : new Disassembler[] {XLATED, ORIGINAL}) {
            try {
                assertEquals(countInsns(b), d.lines(b).size());
            } catch (BpfFormatException e) {
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
