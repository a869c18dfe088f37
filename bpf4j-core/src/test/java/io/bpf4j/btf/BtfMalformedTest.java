package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Member;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of malformed input ends in one BpfFormatException with a one-line message. */
class BtfMalformedTest {
    private final byte[] good = BtfFixtures.everyKind().toBytes();

    private static String fails(Executable e, String expected) {
        BpfFormatException ex = assertThrows(BpfFormatException.class, e);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage() + " should mention " + expected);
        assertFalse(ex.getMessage().contains("\n"), "one line");
        return ex.getMessage();
    }

    private byte[] patched(Consumer<ByteBuffer> patch) {
        byte[] copy = good.clone();
        patch.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return copy;
    }

    @Test
    void rejectsTruncatedHeader() {
        fails(() -> Btf.parse(Arrays.copyOf(good, 10)), "header truncated: 10 bytes");
        fails(() -> Btf.parse(new byte[0]), "header truncated");
    }

    @Test
    void rejectsByteSwappedMagicAsBigEndian() {
        fails(() -> Btf.parse(patched(b -> b.putShort(0, (short) 0x9FeB))), "big-endian");
        fails(() -> Btf.parse(patched(b -> b.putShort(0, (short) 0x1234))), "bad magic 0x1234");
        fails(() -> Btf.parse(patched(b -> b.put(2, (byte) 2))), "unsupported version 2");
    }

    @Test
    void rejectsSectionsPastTheEnd() {
        fails(() -> Btf.parse(patched(b -> b.putInt(12, b.getInt(12) + 4))), "type section");
        fails(() -> Btf.parse(patched(b -> b.putInt(16, 0x7fffffff))), "string section");
        fails(() -> Btf.parse(patched(b -> b.putInt(4, 0xffffff00))), "header length");
        fails(() -> Btf.parse(Arrays.copyOf(good, good.length - 1)), "string section");
    }

    @Test
    void rejectsStringSectionWithoutTerminator() {
        fails(() -> Btf.parse(patched(b -> b.put(b.capacity() - 1, (byte) 'x'))), "does not end with NUL");
        fails(() -> Btf.parse(patched(b -> b.put(24 + b.getInt(16), (byte) 'x'))), "start with an empty string");
    }

    @Test
    void rejectsUnknownKindAndVlenBeyondTheSection() {
        // type [1] starts right after the header; its info word is at 24 + 4
        fails(() -> Btf.parse(patched(b -> b.putInt(28, 25 << 24))), "unknown kind 25");
        int nodeInfo = offsetOfType(11) + 4;
        fails(() -> Btf.parse(patched(b -> b.putInt(nodeInfo, 4 << 24 | 0xffff))), "vlen 65535 needs");
        fails(() -> Btf.parse(patched(b -> b.putInt(12, b.getInt(12) - 2))), "type [38] STRUCT vlen 2 needs 36 bytes, only 34 left");
        fails(() -> Btf.parse(patched(b -> b.putInt(12, b.getInt(12) - 26))), "type [38] truncated: 10 bytes left");
    }

    @Test
    void rejectsStringOffsetsOutOfRangeWhenTheTypeIsDecoded() {
        Btf btf = Btf.parse(patched(b -> b.putInt(24, 1 << 30)));
        fails(() -> btf.typeById(1), "string offset 1073741824 out of range");
        int memberName = offsetOfType(11) + 12;
        Btf btf2 = Btf.parse(patched(b -> b.putInt(memberName, -5)));
        fails(() -> btf2.typeById(11), "string offset 4294967291 out of range");
        fails(() -> btf2.findAllByName("node"), "out of range"); // the name index reads names too
    }

    @Test
    void rejectsTypeIdsOutOfRangeWhenFollowed() {
        BtfBuilder b = new BtfBuilder();
        int td = b.addTypedef("dangling", 999);
        int arr = b.addArray(td, 0, 4);
        Btf btf = b.build();
        fails(() -> btf.resolve(td), "type id 999 out of range (0..2)");
        fails(() -> btf.sizeOf(arr), "type id 999");
        fails(() -> btf.typeById(-1), "type id 4294967295 out of range");
        fails(() -> btf.typeById(3), "type id 3 out of range");
    }

    @Test
    void rejectsUnknownLinkage() {
        int funcInfo = offsetOfType(20) + 4;
        Btf btf = Btf.parse(patched(b -> b.putInt(funcInfo, 12 << 24 | 7)));
        fails(() -> btf.typeById(20), "unknown linkage 7");
    }

    @Test
    void detectsReferenceCyclesInEveryWalk() {
        BtfBuilder b = new BtfBuilder();
        int a = b.addTypedef("a", 2); // 1 -> 2
        b.addConst(a); // 2 -> 1
        int selfArr = b.addArray(3, 0, 2); // 3: array of itself
        int s = b.nextId();
        b.addStruct("s", 8, List.of(new Member("me", s + 1, 0, 0))); // 4 contains typedef 5 by value
        b.addTypedef("s_t", s); // 5
        Btf btf = b.build();
        fails(() -> btf.resolve(a), "reference cycle");
        fails(() -> btf.sizeOf(a), "reference cycle");
        fails(() -> btf.sizeOf(selfArr), "reference cycle");
        fails(() -> btf.alignOf(btf.typeById(selfArr)), "reference cycle");
        fails(() -> btf.alignOf(btf.typeById(s)), "reference cycle");
        assertEquals(8, btf.sizeOf(s), "a struct's size is its own; no walk");
    }

    @Test
    void typesWithoutSizeOrAlignmentSaySo() {
        Btf btf = Btf.parse(good);
        fails(() -> btf.sizeOf(20), "FUNC has no size");
        fails(() -> btf.sizeOf(16), "FWD has no size");
        fails(() -> btf.alignOf(btf.typeById(19)), "FUNC_PROTO has no alignment");
        fails(() -> btf.sizeOf(0), "UNKNOWN has no size");
    }

    @Test
    void missingFileIsABpfExceptionNamingIt(@TempDir Path dir) {
        BpfException e = assertThrows(BpfException.class, () -> Btf.read(dir.resolve("nope.btf")));
        assertTrue(e.getMessage().contains("nope.btf: no such file"), e.getMessage());
        Path bad = BtfFixtures.write(dir, "bad.btf", new byte[] {1, 2, 3});
        String msg = fails(() -> Btf.read(bad), "header truncated");
        assertTrue(msg.startsWith(bad.toString()), msg);
    }

    /** Byte offset of a type record in {@link #good}: walk the sizes of the records before it. */
    private int offsetOfType(int id) {
        Btf btf = Btf.parse(good);
        int pos = 24;
        for (int i = 1; i < id; i++) {
            BtfType t = btf.typeById(i);
            pos += 12 + switch (t) {
                case BtfType.Int _, BtfType.Var _, BtfType.DeclTag _ -> 4;
                case BtfType.Array _ -> 12;
                case BtfType.Composite c -> 12 * c.members().size();
                case BtfType.Enum e -> 8 * e.values().size();
                case BtfType.Enum64 e -> 12 * e.values().size();
                case BtfType.FuncProto f -> 8 * f.params().size();
                case BtfType.Datasec d -> 12 * d.vars().size();
                default -> 0;
            };
        }
        return pos;
    }
}
