package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpf4j.btf.BtfType.Int;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class BtfEncoderTest {
    @Test
    void vmlinuxRoundTripsByteForByte() throws Exception {
        byte[] original = Files.readAllBytes(BtfFixtures.VMLINUX);
        assertArrayEquals(original, Btf.parse(original).toBytes());
    }

    @Test
    void builtBtfParsesBackToTheSameTypes() {
        BtfBuilder b = BtfFixtures.everyKind();
        Btf btf = b.build();
        for (int id = 1; id < btf.typeCount(); id++) assertEquals(b.get(id), btf.typeById(id), "type " + id);
        assertArrayEquals(b.toBytes(), btf.toBytes());
    }

    @Test
    void splitBtfRoundTripsAndReusesBaseStrings() {
        Btf base = BtfFixtures.everyKind().build();
        BtfBuilder mod = new BtfBuilder(base);
        mod.addTypedef("node_t", 11);
        mod.addTypedef("u32", 2); // "u32" is a base string: no new bytes for it
        byte[] split = mod.toBytes();
        Btf parsed = Btf.parse(split, base);
        assertArrayEquals(split, parsed.toBytes());
        int strLen = java.nio.ByteBuffer.wrap(split).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(20);
        assertEquals("node_t".length() + 1, strLen, "only the new name is stored");
    }

    @Test
    void builderRewritesAKindForOlderKernels() {
        // What a loader does for a kernel without TYPE_TAG (< 5.17): replace it by a CONST-free alias.
        BtfBuilder b = BtfBuilder.from(BtfFixtures.everyKind().build());
        b.replace(28, new BtfType.Typedef(0, "user_int", 1));
        Btf btf = b.build();
        assertEquals(new BtfType.Typedef(28, "user_int", 1), btf.typeById(28));
        assertEquals(List.of(), btf.findAllByName("user"));
        assertEquals(new Int(1, "int", 4, Int.SIGNED, 0, 32), btf.resolve(29 - 1));
    }
}
