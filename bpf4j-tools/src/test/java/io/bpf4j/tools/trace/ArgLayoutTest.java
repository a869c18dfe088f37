package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * -A's capture plans and rendering, against this machine's kernel BTF: what the BPF side is told
 * to read for real kernel functions, and how captures laid out as trace.bpf.c writes them print
 * (retsnoop's forms: compact {@code name=value}, zero members left out, verbose spread out).
 */
class ArgLayoutTest {
    static Btf btf;

    @BeforeAll
    static void kernelBtf() {
        btf = HostBtf.read();
    }

    static BtfType.FuncProto proto(String fn) {
        return ReturnKind.proto(btf, fn).orElseThrow(() -> new AssertionError("no BTF for " + fn));
    }

    static long off(String struct, String field) {
        return off(btf, struct, field);
    }

    static long off(Btf btf, String struct, String field) {
        BtfType s = btf.findByName(struct, BtfKind.STRUCT).orElseThrow();
        return btf.memberByPath(s, field).orElseThrow().byteOffset();
    }

    /** char arrays print as text; u8 (unsigned char) arrays as their bytes: bpf_prog's char-less tag. */
    @Test
    void byteArraysPrintAsBytesAndCharArraysAsText() {
        BtfType prog = btf.findByName("bpf_prog", BtfKind.STRUCT).orElseThrow();
        byte[] d = new byte[(int) btf.sizeOf(prog.id())];
        int tag = (int) off("bpf_prog", "tag");
        byte[] bytes = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4};
        System.arraycopy(bytes, 0, d, tag, bytes.length);
        TextBuffer out = new TextBuffer(16);
        new BtfValueFormat(btf, true).value(prog.id(), d, 0, d.length, out, 0);
        assertTrue(out.toString().contains(".tag=[222,173,190,239,1,2,3,4]"), out.toString());

        BtfType map = btf.findByName("bpf_map", BtfKind.STRUCT).orElseThrow();
        byte[] m = new byte[(int) btf.sizeOf(map.id())];
        byte[] name = "progs".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, m, (int) off("bpf_map", "name"), name.length);
        TextBuffer mo = new TextBuffer(16);
        new BtfValueFormat(btf, true).value(map.id(), m, 0, m.length, mo, 0);
        assertTrue(mo.toString().contains(".name='progs'"), mo.toString());
    }

    /** A capture as trace.bpf.c lays it out: struct call_args, then each read argument. */
    static final class Capture {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        int pos = ArgLayout.CALL_HDR, nread;

        Capture(long... vals) {
            b.put(2, (byte) vals.length);
            for (int i = 0; i < vals.length; i++) b.putLong(8 + 8 * i, vals[i]);
        }

        Capture read(int arg, int kind, byte[] data, int len) {
            b.putShort(pos, (short) len);
            b.put(pos + 2, (byte) arg);
            b.put(pos + 3, (byte) kind);
            if (len > 0) b.put(pos + 8, data, 0, Math.min(len, data.length));
            pos += 8 + (len > 0 ? (len + 7) & ~7 : 0);
            nread++;
            return this;
        }

        byte[] bytes() {
            b.putShort(0, (short) pos);
            b.put(3, (byte) nread);
            byte[] out = new byte[pos];
            b.get(0, out);
            return out;
        }
    }

    /** struct bpf_map bytes with the members a map lookup shows set, the rest zero. */
    static byte[] bpfMap(int size, int type, int keySize, int valueSize, int maxEntries, int id, String name) {
        return bpfMapIn(btf, size, type, keySize, valueSize, maxEntries, id, name);
    }

    static byte[] bpfMapIn(Btf btf, int size, int type, int keySize, int valueSize, int maxEntries, int id, String name) {
        ByteBuffer m = ByteBuffer.allocate(Math.max(size, 256)).order(ByteOrder.LITTLE_ENDIAN);
        m.putLong((int) off(btf, "bpf_map", "ops"), 0xffffffff82000000L);
        m.putInt((int) off(btf, "bpf_map", "map_type"), type);
        m.putInt((int) off(btf, "bpf_map", "key_size"), keySize);
        m.putInt((int) off(btf, "bpf_map", "value_size"), valueSize);
        m.putInt((int) off(btf, "bpf_map", "max_entries"), maxEntries);
        m.putInt((int) off(btf, "bpf_map", "id"), id);
        m.put((int) off(btf, "bpf_map", "name"), name.getBytes(StandardCharsets.US_ASCII));
        return java.util.Arrays.copyOf(m.array(), size);
    }

    static int enumValue(String name) {
        for (BtfType t : btf.types())
            if (t instanceof BtfType.Enum e) for (BtfType.EnumValue v : e.values()) if (v.name().equals(name)) return (int) v.value();
        throw new AssertionError(name);
    }

    @Test
    void aMapLookupFollowsTheMapAndReadsTheKeyWithItsKeySize() {
        ArgLayout l = ArgLayout.of(btf, proto("bpf_map_copy_value"), ArgLayout.Limits.DEFAULT, true);
        assertEquals(List.of("map", "key", "value", "flags"), l.names());
        ByteBuffer spec = ByteBuffer.wrap(l.spec()).order(ByteOrder.LITTLE_ENDIAN);
        long mapSize = btf.sizeOf(btf.findByName("bpf_map", BtfKind.STRUCT).orElseThrow());
        assertEquals(4, spec.get(2), "four registers");
        assertEquals(ArgLayout.AK_BYTES, spec.get(4), "map: followed");
        assertEquals(Math.min(256, mapSize), spec.getShort(16), "map: its size, at most 256 bytes");
        assertEquals(ArgLayout.AK_SIZED, spec.get(5), "key: sized by the map");
        assertEquals(0, spec.get(11), "key's size from argument 0 (map)");
        assertEquals(off("bpf_map", "key_size"), spec.getShort(30));
        assertEquals(ArgLayout.AK_SIZED, spec.get(6), "value: sized by the map");
        assertEquals(off("bpf_map", "value_size"), spec.getShort(32));
        assertEquals(ArgLayout.AK_NONE, spec.get(7), "flags: the register");
        int read = (int) Math.min(256, mapSize);
        assertEquals(ArgLayout.CALL_HDR + 8 + ((read + 7) & ~7) + 2 * (8 + 256), spec.getShort(0), "most bytes a call takes");

        byte[] map = bpfMap(read, enumValue("BPF_MAP_TYPE_ARRAY"), 4, 8, 4, 42, "bpf4j_args");
        byte[] blob = new Capture(0xffff888004a00000L, 0xffffc90000123000L, 0xffff888004b00000L, 0)
                .read(0, ArgLayout.AK_BYTES, map, read)
                .read(1, ArgLayout.AK_SIZED, new byte[] {9, 0, 0, 0}, 4)
                .read(2, ArgLayout.AK_SIZED, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 8)
                .bytes();
        // Members past the 256 bytes read (6.x's struct bpf_map is larger) are marked, not made up.
        assertEquals(List.of("map=&{.map_type=BPF_MAP_TYPE_ARRAY,.key_size=4,.value_size=8,.max_entries=4,.id=42,.name='bpf4j_args'"
                        + (mapSize > read ? ",…" : "") + "}",
                "key=&[09 00 00 00]", "value=&[01 02 03 04 05 06 07 08]", "flags=0"), l.format(blob, ArgLayout.Style.COMPACT, 0));
        // Cut at the width, as retsnoop cuts at args.fmt-max-arg-width.
        assertEquals("map=&{.map_type=BPF_MAP_TYPE_ARRAY,.key_…", l.format(blob, ArgLayout.Style.COMPACT, 40).getFirst());
        // Verbose: every member on its line, pointers included, nothing cut.
        String v = l.format(blob, ArgLayout.Style.VERBOSE, 10).getFirst();
        assertTrue(v.startsWith("map = &{\n    .ops = 0xffffffff82000000,\n    .map_type = BPF_MAP_TYPE_ARRAY,\n"), v);
        assertTrue(v.endsWith(mapSize > read ? "    .name = 'bpf4j_args',\n    …\n}" : "    .name = 'bpf4j_args'\n}"), v);
    }

    /**
     * compactLine keeps the line of the last capture: a capture equal to it gets that line, one
     * that differs in a single byte (here the attr's first word), or the same capture at another
     * width, gets its own.
     */
    @Test
    void theCompactLineOfARepeatedCaptureIsReusedOnlyForEqualBytes() {
        ArgLayout l = ArgLayout.of(btf, proto("security_bpf"), ArgLayout.Limits.DEFAULT, true);
        int len = ByteBuffer.wrap(l.spec()).order(ByteOrder.LITTLE_ENDIAN).getShort(18);
        byte[][] blobs = new byte[3][];
        for (int k = 0; k < blobs.length; k++) {
            ByteBuffer attr = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
            attr.putInt(0, k == 1 ? 4 : 3).putLong(8, 0x7ffc12345678L).putLong(16, 0x7ffc12345690L);
            blobs[k] = new Capture(1, 0xffffc90000123000L, len).read(1, ArgLayout.AK_BYTES, attr.array(), len).bytes();
        }
        assertArrayEquals(blobs[0], blobs[2]);
        for (int width : new int[] {120, 120, 40, 120}) {
            for (byte[] blob : blobs) {
                String line = new String(l.compactLine(blob, width), java.nio.charset.StandardCharsets.UTF_8);
                assertEquals(String.join(" ", l.format(blob, ArgLayout.Style.COMPACT, width)), line, "width " + width);
                assertTrue(line.contains(blob == blobs[1] ? ".map_type=4," : ".map_type=3,"), line);
            }
        }
    }

    /**
     * A compact argument cut at a width is rendered only as far as the cut; the text must be the
     * full rendering's, cut, at every width. security_bpf's {@code union bpf_attr} renders every
     * variant that overlaps a non-zero byte (kilobytes for a map lookup's attr).
     */
    @Test
    void anArgumentCutAtAWidthIsTheFullTextCut() {
        ArgLayout l = ArgLayout.of(btf, proto("security_bpf"), ArgLayout.Limits.DEFAULT, true);
        ByteBuffer spec = ByteBuffer.wrap(l.spec()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(ArgLayout.AK_BYTES, spec.get(5), "attr: followed");
        int len = spec.getShort(18);
        // A lookup's attr: map_fd 3, key and value pointers, flags 0; the rest of what was read is
        // a later variant's bytes, left non-zero here so that every variant has something to show.
        ByteBuffer attr = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < len; i++) attr.put(i, (byte) (i * 7 + 1));
        attr.putInt(0, 3).putLong(8, 0x7ffc12345678L).putLong(16, 0x7ffc12345690L).putLong(24, 0);
        byte[] blob = new Capture(1, 0xffffc90000123000L, len).read(1, ArgLayout.AK_BYTES, attr.array(), len).bytes();
        List<String> full = l.format(blob, ArgLayout.Style.COMPACT, 0);
        String attrText = full.get(1);
        assertTrue(attrText.startsWith("attr=&{{.map_type=3,") && attrText.contains("{.map_fd=3,.key=0x7ffc12345678,"), attrText);
        assertTrue(attrText.length() > 1000, "a union renders every variant: " + attrText.length() + " characters");
        for (int w = 1; w <= attrText.length() + 1; w++) {
            List<String> cut = l.format(blob, ArgLayout.Style.COMPACT, w);
            for (int i = 0; i < full.size(); i++) {
                String f = full.get(i);
                assertEquals(f.length() > w ? f.substring(0, w) + BtfValueFormat.ELLIPSIS : f, cut.get(i), "width " + w + ", argument " + i);
            }
            // The error stack's line: the same texts joined by spaces, in UTF-8.
            assertEquals(String.join(" ", cut), new String(l.compactLine(blob, w), java.nio.charset.StandardCharsets.UTF_8), "width " + w);
        }
        assertEquals(String.join(" ", full), new String(l.compactLine(blob, 0), java.nio.charset.StandardCharsets.UTF_8));
        // Multi-line cuts the same way; verbose never cuts.
        assertEquals(full.get(1).substring(0, 50) + BtfValueFormat.ELLIPSIS, l.format(blob, ArgLayout.Style.MULTILINE, 50).get(1));
        assertTrue(l.format(blob, ArgLayout.Style.VERBOSE, 50).get(1).length() > 1000);
    }

    /** The renderer stops on bytes; a cut is in chars, as String.length counts them, and never splits a pair. */
    @Test
    void aTextWithCharsBeyondAsciiIsCutInChars() {
        ArgLayout l = ArgLayout.of(btf, proto("bpf_map_copy_value"), ArgLayout.Limits.DEFAULT, true);
        int size = (int) btf.sizeOf(btf.findByName("bpf_map", BtfKind.STRUCT).orElseThrow().id());
        byte[] map = bpfMap(size, 3, 4, 8, 1, 12, "x");
        byte[] name = "é‼\uD83D\uDE00ab".getBytes(StandardCharsets.UTF_8); // 11 bytes, 6 chars
        System.arraycopy(name, 0, map, (int) off("bpf_map", "name"), name.length);
        byte[] blob = new Capture(0xffff888012340000L, 0x7ffc0000L, 0x7ffc0100L, 0).read(0, ArgLayout.AK_BYTES, map, size).bytes();
        String f = l.format(blob, ArgLayout.Style.COMPACT, 0).get(0);
        assertTrue(f.contains(".name='é‼\uD83D\uDE00ab'"), f);
        for (int w = 1; w <= f.length() + 1; w++) {
            int keep = w < f.length() && Character.isLowSurrogate(f.charAt(w)) ? w - 1 : w;
            String want = f.length() > w ? f.substring(0, keep) + BtfValueFormat.ELLIPSIS : f;
            List<String> cut = l.format(blob, ArgLayout.Style.COMPACT, w);
            assertEquals(want, cut.get(0), "width " + w);
            assertEquals(String.join(" ", cut), new String(l.compactLine(blob, w), StandardCharsets.UTF_8), "width " + w);
        }
    }

    @Test
    void aPointerThatCouldNotBeReadPrintsAsItsAddressAndNullAsNull() {
        ArgLayout l = ArgLayout.of(btf, proto("bpf_map_copy_value"), ArgLayout.Limits.DEFAULT, true);
        byte[] blob = new Capture(0xffff888004a00000L, 0, 0, 7).read(0, ArgLayout.AK_BYTES, new byte[0], -14).bytes();
        assertEquals(List.of("map=0xffff888004a00000", "key=NULL", "value=NULL", "flags=7"), l.format(blob, ArgLayout.Style.COMPACT, 0));
    }

    @Test
    void aStructThatWasReadOnlyInPartEndsInAnEllipsis() {
        ArgLayout l = ArgLayout.of(btf, proto("bpf_map_copy_value"), new ArgLayout.Limits(3072, 16), true);
        byte[] map = bpfMap(16, 2, 4, 8, 4, 42, "x");
        byte[] blob = new Capture(0xffff888004a00000L, 0, 0, 0).read(0, ArgLayout.AK_BYTES, map, 16).bytes();
        String s = l.format(blob, ArgLayout.Style.COMPACT, 0).getFirst();
        assertTrue(s.startsWith("map=&{") && s.endsWith("…}"), "16 bytes of bpf_map hold none of its scalar members: " + s);
    }

    @Test
    void charPointersAreStringsAndTheLimitsBoundWhatIsRead() {
        BtfType.FuncProto p = null;
        String name = null;
        // A function whose first argument is a char pointer (kern_path on every kernel since 2.6).
        for (String f : List.of("kern_path", "getname_kernel")) {
            if (ReturnKind.proto(btf, f).isPresent()) {
                p = proto(f);
                name = f;
                break;
            }
        }
        assertNotNull(p, "kern_path or getname_kernel in BTF");
        ArgLayout l = ArgLayout.of(btf, p, new ArgLayout.Limits(3072, 100), true);
        ByteBuffer spec = ByteBuffer.wrap(l.spec()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(ArgLayout.AK_STR, spec.get(4), name + "'s first argument");
        assertEquals(100, spec.getShort(16), "a string is read up to the per-argument limit");
        byte[] s = "/etc/hostname\0".getBytes(StandardCharsets.US_ASCII);
        long[] vals = new long[p.params().size()];
        vals[0] = 0xffff888001000000L;
        byte[] blob = new Capture(vals).read(0, ArgLayout.AK_STR, s, s.length).bytes();
        assertEquals(l.names().getFirst() + "='/etc/hostname'", l.format(blob, ArgLayout.Style.COMPACT, 0).getFirst());
        // A per-call limit too small for the string leaves the pointer alone.
        ArgLayout tight = ArgLayout.of(btf, p, new ArgLayout.Limits(ArgLayout.CALL_HDR + 8, 100), true);
        assertEquals(ArgLayout.AK_NONE, ByteBuffer.wrap(tight.spec()).get(4));
    }

    @Test
    void integersAndEnumsByValueUseTheirTypes() {
        // Find a function taking an enum by value, and check it prints by name.
        for (BtfType t : btf.types()) {
            if (!(t instanceof BtfType.Func f) || !(btf.typeById(f.type()) instanceof BtfType.FuncProto fp) || fp.params().isEmpty()) continue;
            if (!(btf.resolve(fp.params().getFirst().type()) instanceof BtfType.Enum e) || e.values().size() < 2 || e.size() != 4) continue;
            ArgLayout l = ArgLayout.of(btf, fp, ArgLayout.Limits.DEFAULT, true);
            BtfType.EnumValue second = e.values().get(1);
            long[] vals = new long[Math.min(6, fp.params().size())];
            vals[0] = second.value() | 0xdead_beef_0000_0000L; // the upper half of a 32-bit register is not the value's
            String first = l.format(new Capture(vals).bytes(), ArgLayout.Style.COMPACT, 0).getFirst();
            assertEquals(l.names().getFirst() + "=" + second.name(), first, f.name());
            return;
        }
        fail("no function with an enum argument in this BTF");
    }

    @Test
    void argumentsPastTheSixthRegisterAreNotCaptured() {
        for (BtfType t : btf.types()) {
            if (!(t instanceof BtfType.Func f) || !(btf.typeById(f.type()) instanceof BtfType.FuncProto fp) || fp.params().size() < 8) continue;
            if (fp.params().stream().anyMatch(x -> x.type() == 0 || btf.resolve(x.type()) instanceof BtfType.Composite)) continue;
            ArgLayout l = ArgLayout.of(btf, fp, ArgLayout.Limits.DEFAULT, true);
            List<String> out = l.format(new Capture(1, 2, 3, 4, 5, 6).bytes(), ArgLayout.Style.COMPACT, 0);
            assertEquals(fp.params().size(), out.size(), f.name());
            assertTrue(out.get(6).endsWith("=?"), f.name() + ": " + out);
            assertEquals(6, ByteBuffer.wrap(l.spec()).get(2), "six registers at most");
            return;
        }
        fail("no function with 8 scalar arguments in this BTF");
    }

    @Test
    void aTracepointRecordIsDecodedWithItsFormat() {
        // bpf_trace:bpf_trace_printk's format on Linux 5.10 .. 7.x.
        TracepointFormat f = TracepointFormat.parse("bpf_trace", "bpf_trace_printk", """
                name: bpf_trace_printk
                ID: 1234
                format:
                	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
                	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
                	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
                	field:int common_pid;	offset:4;	size:4;	signed:1;

                	field:__data_loc char[] bpf_string;	offset:8;	size:4;	signed:1;

                print fmt: "%s", __get_str(bpf_string)
                """);
        assertEquals(12, f.recordSize());
        ArgLayout l = ArgLayout.tracepoint(f, ArgLayout.Limits.DEFAULT);
        byte[] text = "bpf4j probe 42\n\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer rec = ByteBuffer.allocate(12 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        rec.putShort(0, (short) 1234).putInt(4, 77).putInt(8, text.length << 16 | 12).put(12, text);
        assertEquals(1, ByteBuffer.wrap(l.spec()).get(2), "one value: the record's address");
        assertEquals(ArgLayout.AK_CTX, ByteBuffer.wrap(l.spec()).get(4));
        byte[] blob = new Capture(0xffff888007000000L).read(0, ArgLayout.AK_CTX, rec.array(), rec.capacity()).bytes();
        assertEquals(List.of("bpf_string='bpf4j probe 42\\n'"), l.format(blob, ArgLayout.Style.COMPACT, 0));
    }

    @Test
    void theRegistersOfAnInjectedKprobeAreItsPtRegs() {
        ArgLayout l = ArgLayout.regs(btf, ArgLayout.Limits.DEFAULT);
        BtfType regs = btf.findByName("pt_regs", BtfKind.STRUCT).orElseThrow();
        byte[] r = new byte[(int) btf.sizeOf(regs)];
        ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).putLong((int) btf.memberByPath(regs, "di").orElseThrow().byteOffset(), 42);
        assertEquals(1, ByteBuffer.wrap(l.spec()).get(2), "one value: the pt_regs' address");
        byte[] blob = new Capture(0xffffc90000abc000L).read(0, ArgLayout.AK_CTX, r, r.length).bytes();
        assertEquals(List.of("regs={.di=42}"), l.format(blob, ArgLayout.Style.COMPACT, 0));
    }

    /** 5.10's BTF declares __x64_sys_bpf(const struct pt_regs *) with a FWD: the definition is found by name. */
    @Test
    void aPointerToADeclaredStructIsFollowedToItsDefinition() {
        BtfType regs = btf.findByName("pt_regs", BtfKind.STRUCT).orElseThrow();
        // A small BTF of its own: FWD pt_regs, a pointer to it, f(const struct pt_regs *__unused), and the real pt_regs.
        Btf small = Btf.parse(smallBtfWithFwd());
        BtfType.FuncProto fp = (BtfType.FuncProto) small.typeById(((BtfType.Func) small.findByName("f", BtfKind.FUNC).orElseThrow()).type());
        ArgLayout l = ArgLayout.of(small, fp, ArgLayout.Limits.DEFAULT, true);
        assertEquals(ArgLayout.AK_BYTES, ByteBuffer.wrap(l.spec()).get(4), "followed through the declaration");
        byte[] r = new byte[16];
        r[8] = 7;
        byte[] blob = new Capture(0xffffc90000abc000L).read(0, ArgLayout.AK_BYTES, r, 16).bytes();
        assertEquals(List.of("__unused=&{.di=7}"), l.format(blob, ArgLayout.Style.COMPACT, 0));
        assertNotNull(regs);
    }

    /** struct pt_regs {u64 si; u64 di;} declared first as FWD, then defined; f(const struct pt_regs *__unused). */
    static byte[] smallBtfWithFwd() {
        // Types: 1 FWD pt_regs, 2 CONST->1, 3 PTR->2, 4 FUNC_PROTO(int __unused: 3), 5 FUNC f -> 4, 6 INT u64, 7 STRUCT pt_regs {si, di}
        String strings = "\0pt_regs\0__unused\0f\0u64\0si\0di\0";
        int sPt = 1, sUn = 9, sF = 18, sU64 = 20, sSi = 24, sDi = 27;
        ByteBuffer t = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(sPt).putInt(7 << 24).putInt(0);                 // [1] FWD struct pt_regs
        t.putInt(0).putInt(10 << 24).putInt(1);                  // [2] CONST -> 1
        t.putInt(0).putInt(2 << 24).putInt(2);                   // [3] PTR -> 2
        t.putInt(0).putInt(13 << 24 | 1).putInt(6);              // [4] FUNC_PROTO ret u64, 1 param
        t.putInt(sUn).putInt(3);
        t.putInt(sF).putInt(12 << 24).putInt(4);                 // [5] FUNC f -> 4
        t.putInt(sU64).putInt(1 << 24).putInt(8).putInt(64);     // [6] INT u64
        t.putInt(sPt).putInt(4 << 24 | 2).putInt(16);            // [7] STRUCT pt_regs, 2 members
        t.putInt(sSi).putInt(6).putInt(0);
        t.putInt(sDi).putInt(6).putInt(64);
        int typeLen = t.position();
        byte[] str = strings.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(24 + typeLen + str.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        out.put(t.array(), 0, typeLen).put(str);
        return out.array();
    }

    @Test
    void limitsOutsideWhatTheBpfSideHoldsAreRefused() {
        assertThrows(io.bpf4j.BpfException.class, () -> new ArgLayout.Limits(8192, 256));
        assertThrows(io.bpf4j.BpfException.class, () -> new ArgLayout.Limits(3072, 0));
        assertThrows(io.bpf4j.BpfException.class, () -> ArgLayout.Style.parse("fancy"));
        List<String> ok = new ArrayList<>();
        for (String s : List.of("compact", "multiline", "verbose")) ok.add(ArgLayout.Style.parse(s).name());
        assertEquals(List.of("COMPACT", "MULTILINE", "VERBOSE"), ok);
    }
}
