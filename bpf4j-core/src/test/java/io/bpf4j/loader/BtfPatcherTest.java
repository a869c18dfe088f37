package io.bpf4j.loader;

import io.bpf4j.BtfHandle;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Rewriting BTF kinds an older kernel lacks, as libbpf does, without moving any string. */
class BtfPatcherTest {
    /** [1] int, [2] float, [3] struct s, [4] decl_tag on s, [5] type_tag -> int, [6] ptr -> [5], [7] enum64, [8] signed enum. */
    static byte[] modern() {
        BtfBuilder b = new BtfBuilder();
        int i = b.addInt("int", 4, BtfType.Int.SIGNED);
        b.addFloat("float", 4);
        int s = b.addStruct("s", 4, List.of(new BtfType.Member("a", i, 0, 0)));
        b.addDeclTag("my_tag", s, -1);
        b.addPtr(b.addTypeTag("user", i));
        b.addEnum64("e64", 8, false, List.of(new BtfType.EnumValue("BIG", 1L << 40), new BtfType.EnumValue("SMALL", 1)));
        b.addEnum("se", 4, true, List.of(new BtfType.EnumValue("NEG", -1)));
        return b.toBytes();
    }

    @Test
    void a510KernelGetsOnlyKindsItKnows() {
        byte[] in = modern();
        byte[] out = BtfPatcher.sanitize(in, new BtfPatcher.KernelBtf(false, false, false, false));
        Btf b = Btf.parse(out);
        assertEquals(BtfKind.STRUCT, b.typeById(2).kind(), "float -> empty struct of the same size");
        assertEquals(4, ((BtfType.Struct) b.typeById(2)).size());
        assertEquals(BtfKind.INT, b.typeById(4).kind(), "decl_tag -> int");
        assertEquals(BtfKind.CONST, b.typeById(5).kind(), "type_tag -> const");
        assertEquals(5, ((BtfType.Ptr) b.typeById(6)).type(), "references unchanged");
        BtfType.Union u = (BtfType.Union) b.typeById(7);
        assertEquals("e64", u.name());
        assertEquals(List.of("BIG", "SMALL"), u.members().stream().map(BtfType.Member::name).toList());
        assertEquals(BtfKind.INT, b.typeById(u.members().getFirst().type()).kind(), "members point at the appended int");
        assertFalse(((BtfType.Enum) b.typeById(8)).signed(), "the signed flag came with ENUM64");
        assertEquals(10, b.typeCount(), "void, eight types and one placeholder int appended");
        assertEquals(9, u.members().getFirst().type());
        assertEquals("my_tag", Btf.parse(in).typeById(4).name());
        assertEquals(Btf.parse(in).string(1), b.string(1), "strings did not move");
    }

    @Test
    void aKernelWithEverythingGetsTheSameBytes() {
        byte[] in = modern();
        assertSame(in, BtfPatcher.sanitize(in, BtfPatcher.KernelBtf.ALL));
        byte[] noFloat = BtfPatcher.sanitize(in, new BtfPatcher.KernelBtf(false, true, true, true));
        assertEquals(in.length, noFloat.length, "no placeholder needed");
    }

    @Test
    void theSanitisedBtfLoadsIntoThisKernel() {
        try (BtfHandle h = BtfHandle.load(BtfPatcher.sanitize(modern(), new BtfPatcher.KernelBtf(false, false, false, false)))) {
            assertTrue(h.fd().raw() > 0);
        }
    }
}
