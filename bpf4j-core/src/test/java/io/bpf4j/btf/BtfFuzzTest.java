package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpf4j.BpfFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Corrupted and truncated BTF through the parser and every walk over every type: only
 * {@link BpfFormatException} may escape and every case must finish (seeded, so a failure repeats).
 */
class BtfFuzzTest {
    private static final int[] SPECIAL = {0, 1, -1, 2, 3, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 12, 24, 1 << 24, 19 << 24, 0x84000001};

    private static byte[] sample() throws IOException {
        try (InputStream in = BtfFuzzTest.class.getResourceAsStream("/btf/sample.btf")) {
            return in.readAllBytes();
        }
    }

    /** Runs everything a user can ask of a parsed BTF; returns quietly or throws BpfFormatException. */
    private static void exercise(Btf btf, boolean withC) {
        for (int id = 0; id < btf.typeCount(); id++) {
            try {
                BtfType t = btf.typeById(id);
                btf.resolve(t);
                btf.findAllByName(t.name());
                btf.findByName(t.name(), t.kind());
                if (t instanceof BtfType.Composite c && !c.members().isEmpty()) {
                    btf.memberByPath(t, c.members().getFirst().name() + "[1]");
                    for (BtfType.Member m : c.members()) btf.member(c, m);
                }
                btf.sizeOf(t);
                btf.alignOf(t);
            } catch (BpfFormatException expected) {
                // malformed: fine, as long as it is this exception
            }
        }
        btf.dumpRaw();
        try {
            Btf.parse(btf.toBytes(), btf.base());
        } catch (BpfFormatException expected) {
        }
        if (withC) {
            try {
                btf.dumpC();
            } catch (BpfFormatException expected) {
            }
        }
    }

    private static void parseAndExercise(byte[] bytes, String what, boolean withC) {
        Btf btf;
        try {
            btf = Btf.parse(bytes);
        } catch (BpfFormatException expected) {
            assertTrue(expected.getMessage().indexOf('\n') < 0, what + ": one-line message");
            return;
        }
        try {
            exercise(btf, withC);
        } catch (BpfFormatException expected) {
        } catch (Throwable t) {
            fail(what + ": " + t, t);
        }
    }

    @Test
    void twoThousandCorruptedCopiesOfARealBlobOnlyThrowFormatErrors() throws IOException {
        byte[] seed = sample();
        parseAndExercise(seed, "seed", true); // the seed itself is sound
        Btf.parse(seed).dumpC();
        Random rnd = new Random(0xB7F);
        for (int batch = 0; batch < 10; batch++) {
            int b = batch;
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 200; i++) {
                    byte[] m = seed.clone();
                    ByteBuffer buf = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                    int edits = 1 + rnd.nextInt(4);
                    for (int e = 0; e < edits; e++) {
                        int pos = rnd.nextInt(m.length);
                        switch (rnd.nextInt(3)) {
                            case 0 -> m[pos] ^= (byte) (1 << rnd.nextInt(8));
                            case 1 -> m[pos] = (byte) rnd.nextInt(256);
                            default -> {
                                int aligned = Math.min(pos & ~3, m.length - 4);
                                buf.putInt(aligned, SPECIAL[rnd.nextInt(SPECIAL.length)]);
                            }
                        }
                    }
                    parseAndExercise(m, "batch " + b + " mutant " + i, true);
                }
            }, "batch " + batch);
        }
    }

    @Test
    void everyKindFixtureMutantsOnlyThrowFormatErrors() {
        byte[] seed = BtfFixtures.everyKind().toBytes();
        Random rnd = new Random(42);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 1000; i++) {
                byte[] m = seed.clone();
                // Corrupt only the type section: keep the header sane so the walks get exercised.
                int pos = 24 + rnd.nextInt(m.length - 24 - 4) & ~3;
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(pos,
                        rnd.nextBoolean() ? SPECIAL[rnd.nextInt(SPECIAL.length)] : rnd.nextInt(64));
                parseAndExercise(m, "mutant " + i + " at " + pos, true);
            }
        });
    }

    @Test
    void everyPrefixOfARealBlobIsRejected() throws IOException {
        byte[] seed = sample();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int len = 0; len < seed.length; len++) {
                byte[] prefix = Arrays.copyOf(seed, len);
                assertThrows(BpfFormatException.class, () -> Btf.parse(prefix), "prefix of " + len);
            }
        });
    }

    @Test
    void vmlinuxTruncatedAtManyPointsIsRejectedOrWalksCleanly() throws IOException {
        byte[] vmlinux = Files.readAllBytes(BtfFixtures.VMLINUX);
        Random rnd = new Random(7);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            // Plain prefixes: the string section no longer fits.
            for (int i = 0; i < 200; i++) {
                int len = i < 40 ? i : rnd.nextInt(vmlinux.length);
                byte[] prefix = Arrays.copyOf(vmlinux, len);
                assertThrows(BpfFormatException.class, () -> Btf.parse(prefix), "prefix of " + len);
            }
            // Type section cut short with a consistent header: the cut usually lands inside a
            // record; otherwise the surviving types point past the end and walks must say so.
            ByteBuffer hdr = ByteBuffer.wrap(vmlinux).order(ByteOrder.LITTLE_ENDIAN);
            int typeLen = hdr.getInt(12), strOff = hdr.getInt(16), strLen = hdr.getInt(20);
            for (int i = 0; i < 20; i++) {
                int cut = 1 + rnd.nextInt(typeLen / 2);
                byte[] m = new byte[24 + cut + strLen];
                System.arraycopy(vmlinux, 0, m, 0, 24 + cut);
                System.arraycopy(vmlinux, 24 + strOff, m, 24 + cut, strLen);
                ByteBuffer mb = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                mb.putInt(12, cut).putInt(16, cut);
                parseAndExercise(m, "type section cut at " + cut, i < 3);
            }
        });
    }
}
