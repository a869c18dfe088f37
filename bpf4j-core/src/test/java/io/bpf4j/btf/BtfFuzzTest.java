package io.bpf4j.btf;

import static io.bpf4j.fixtures.Rejections.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.BpfFormatException;
import io.bpf4j.fixtures.FuzzInputs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * BTF from any bytes. The coverage-guided target ({@link #parseAndDump}, Jazzer; its corpus and
 * every finding are replayed by plain {@code mvn test} from {@code BtfFuzzTestInputs/}) checks
 * properties, not only the absence of a crash: a rejection is one {@link BpfFormatException}
 * line; BTF whose types all decode re-encodes to BTF with the same types and the same raw dump,
 * and encoding that again gives the same bytes; the C dump of the re-encoded BTF is the same
 * text; every walk over every type only ever throws a format error.
 */
class BtfFuzzTest {
    /** The seed compiled from btf/sample.bpf.c, kept once: as a regression input of parseAndDump. */
    static final String SAMPLE = "/io/bpf4j/btf/BtfFuzzTestInputs/parseAndDump/seed-sample.btf";

    /** Everything a user can ask of parsed BTF; returns whether all types decoded. */
    static boolean check(byte[] data) {
        Btf btf;
        try {
            btf = Btf.parse(data);
        } catch (BpfFormatException e) {
            assertOneLine(e);
            return false;
        }
        List<BtfType> types;
        try {
            types = btf.types();
        } catch (BpfFormatException e) {
            assertOneLine(e);
            walk(btf); // the types that do decode still answer, or say what is wrong
            return false;
        }
        // Accepted: a raw dump, and a round trip through the encoder to the same types.
        String raw = btf.dumpRaw();
        byte[] encoded = btf.toBytes();
        Btf again = Btf.parse(encoded);
        assertEquals(types, again.types(), "types after toBytes -> parse");
        assertEquals(raw, again.dumpRaw(), "raw dump after toBytes -> parse");
        assertArrayEquals(encoded, again.toBytes(), "toBytes of re-parsed BTF");
        String c = null;
        try {
            c = btf.dumpC();
        } catch (BpfFormatException e) {
            assertOneLine(e);
        }
        if (c != null) {
            assertTrue(c.startsWith("#ifndef __VMLINUX_H__\n") && c.endsWith("#endif /* __VMLINUX_H__ */\n"), "C dump framing");
            assertEquals(c, again.dumpC(), "C dump after toBytes -> parse");
        }
        walk(btf);
        return true;
    }

    /** Every look-up and walk on every type: format errors only. */
    private static void walk(Btf btf) {
        for (int id = 0; id < btf.typeCount(); id++) {
            try {
                BtfType t = btf.typeById(id);
                btf.resolve(t);
                // Anonymous types are not indexed by name; a name that is not UTF-8 decodes with
                // U+FFFD and cannot be looked up by that text.
                if (!t.name().isEmpty() && t.name().indexOf('\uFFFD') < 0)
                    assertTrue(btf.findAllByName(t.name()).contains(t), "findAllByName finds [" + id + "]");
                btf.findByName(t.name(), t.kind());
                if (t instanceof BtfType.Composite c && !c.members().isEmpty()) {
                    btf.memberByPath(t, c.members().getFirst().name() + "[1]");
                    for (BtfType.Member m : c.members()) btf.member(c, m);
                }
                btf.sizeOf(t);
                btf.alignOf(t);
            } catch (BpfFormatException e) {
                assertOneLine(e);
            }
        }
    }

    @FuzzTest
    void parseAndDump(byte[] data) {
        check(data);
    }

    /**
     * The committed corpus must reach past the header checks: a parser that rejected
     * everything would pass every replayed input, but not this.
     */
    @Test
    void theCommittedCorpusIsMostlyAcceptedAndRoundTrips() throws IOException {
        List<byte[]> inputs = FuzzInputs.of(BtfFuzzTest.class, "parseAndDump");
        int accepted = 0;
        for (byte[] in : inputs) if (check(in)) accepted++;
        assertTrue(inputs.size() >= 50 && accepted * 4 >= inputs.size(), accepted + " of " + inputs.size() + " inputs accepted");
    }

    @Test
    void theSeedsThemselvesAreSound() throws IOException {
        assertTrue(check(BtfFixtures.everyKind().toBytes()));
        try (var in = BtfFuzzTest.class.getResourceAsStream(SAMPLE)) {
            assertTrue(check(in.readAllBytes()));
        }
    }

    @Test
    void everyPrefixOfARealBlobIsRejected() throws IOException {
        byte[] seed;
        try (var in = BtfFuzzTest.class.getResourceAsStream(SAMPLE)) {
            seed = in.readAllBytes();
        }
        for (int len = 0; len < seed.length; len++) {
            byte[] prefix = Arrays.copyOf(seed, len);
            assertOneLine(assertThrows(BpfFormatException.class, () -> Btf.parse(prefix), "prefix of " + len));
        }
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
                assertOneLine(assertThrows(BpfFormatException.class, () -> Btf.parse(prefix), "prefix of " + len));
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
                if (i < 3) check(m);
                else {
                    try {
                        walk(Btf.parse(m));
                    } catch (BpfFormatException e) {
                        assertOneLine(e);
                    }
                }
            }
        });
    }
}
