package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kcore reader on ELF core files laid out as /proc/kcore is: a PT_NOTE with VMCOREINFO and
 * PT_LOAD segments for kernel text and the direct map. (The host has no /proc/kcore; the lab
 * tests read the real one.)
 */
class KcoreTest {
    static final long TEXT = 0xffffffff9d000000L, DIRECT = 0xffff888000000000L;
    static final int TEXT_SIZE = 0x3000, DIRECT_SIZE = 0x2000;

    @TempDir
    Path dir;

    static byte[] note(String name, int type, byte[] desc) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + pad(n.length) + pad(desc.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(n.length).putInt(desc.length).putInt(type).put(n);
        b.position(12 + pad(n.length)).put(desc);
        return b.array();
    }

    static int pad(int n) {
        return (n + 3) & ~3;
    }

    /** An ELF core: header, 3 program headers, notes, then the two segments' bytes. */
    static byte[] core() {
        byte[] notes = concat(note("CORE", 1, new byte[16]),
                note("VMCOREINFO", 0, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nKERNELOFFSET=1c000000\n".getBytes()));
        int phoff = 64, notesOff = phoff + 3 * 56, textOff = 0x1000, directOff = textOff + TEXT_SIZE;
        ByteBuffer b = ByteBuffer.allocate(directOff + DIRECT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 4).putShort(18, (short) 62).putInt(20, 1).putLong(32, phoff);
        b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 3);
        phdr(b, phoff, 4, notesOff, 0, notes.length);
        phdr(b, phoff + 56, 1, textOff, TEXT, TEXT_SIZE);
        phdr(b, phoff + 112, 1, directOff, DIRECT, DIRECT_SIZE);
        b.put(notesOff, notes);
        for (int i = 0; i < TEXT_SIZE; i++) b.put(textOff + i, (byte) (i * 7));
        b.put(directOff + 0x100, "Linux version 6.1.0-test (gcc)\0".getBytes());
        return b.array();
    }

    static void phdr(ByteBuffer b, int at, int type, long off, long vaddr, long size) {
        b.putInt(at, type).putInt(at + 4, 4).putLong(at + 8, off).putLong(at + 16, vaddr).putLong(at + 24, 0)
                .putLong(at + 32, size).putLong(at + 40, size).putLong(at + 48, 4096);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    Path write(byte[] data) throws IOException {
        Path p = dir.resolve("kcore");
        Files.write(p, data);
        return p;
    }

    @Test
    void segmentsAndVmcoreinfoComeFromTheProgramHeaders() throws IOException {
        try (Kcore k = Kcore.open(write(core()))) {
            assertEquals(2, k.segments().size());
            assertEquals(new Kcore.Segment(DIRECT, 0x1000 + TEXT_SIZE, DIRECT_SIZE), k.segments().get(0));
            assertEquals("6.1.0-test", k.vmcoreinfo().get("OSRELEASE"));
            assertEquals(0x1c000000L, k.kernelOffset().orElseThrow());
        }
    }

    @Test
    void readsOfAnySizeCrossPagesAndComeBackExact() throws IOException {
        try (Kcore k = Kcore.open(write(core()))) {
            byte[] all = k.read(TEXT, TEXT_SIZE);
            for (int i = 0; i < TEXT_SIZE; i++) assertEquals((byte) (i * 7), all[i], "byte " + i);
            byte[] span = k.read(TEXT + 0xffa, 20);
            assertArrayEquals(Arrays.copyOfRange(all, 0xffa, 0xffa + 20), span);
            assertEquals(0x0e07, k.u16(TEXT + 1) & 0xffff);
            assertEquals("Linux version 6.1.0-test (gcc)", k.cString(DIRECT + 0x100, 256));
        }
    }

    @Test
    void unmappedAddressesAreFaultsNotZeros() throws IOException {
        try (Kcore k = Kcore.open(write(core()))) {
            MemoryFault f = assertThrows(MemoryFault.class, () -> k.read(0xffffc90000000000L, 8));
            assertEquals("read 8 bytes at 0xffffc90000000000: 0xffffc90000000000 is not mapped by " + dir.resolve("kcore"), f.getMessage());
            assertThrows(MemoryFault.class, () -> k.read(TEXT + TEXT_SIZE - 4, 8), "runs off the end of the segment");
            assertFalse(k.isMapped(TEXT + TEXT_SIZE));
            assertTrue(k.isMapped(TEXT + TEXT_SIZE - 1));
        }
    }

    @Test
    void cachedPagesStayUntilInvalidated() throws IOException {
        byte[] img = core();
        Path p = write(img);
        try (Kcore k = Kcore.open(p)) {
            int before = k.u8(TEXT + 5);
            img[0x1000 + 5] ^= (byte) 0xff;
            Files.write(p, img);
            assertEquals(before, k.u8(TEXT + 5), "one question sees one snapshot");
            k.invalidate();
            assertEquals(before ^ 0xff, k.u8(TEXT + 5), "a new question sees the kernel as it is now");
        }
    }

    @Test
    void kaslrOffsetComesFromVmcoreinfoWhenPresent() throws IOException {
        try (Kcore k = Kcore.open(write(core()))) {
            Kernel kernel = new Kernel(k, null, Kallsyms.parse(String.format("%x T _text%n", TEXT)));
            assertEquals(new Kernel.Kaslr(TEXT, 0x1c000000L, true), kernel.kaslr());
        }
        FakeMemory none = new FakeMemory();
        Kernel fromSyms = new Kernel(none, null, Kallsyms.parse(String.format("%x T _stext%n", TEXT)));
        assertEquals(new Kernel.Kaslr(TEXT, TEXT - Kernel.X86_64_START_KERNEL, false), fromSyms.kaslr());
    }

    @Test
    void missingKcoreIsOneClearLine() {
        BpfException e = assertThrows(BpfException.class, () -> Kcore.open(dir.resolve("no-kcore")));
        assertEquals("open " + dir.resolve("no-kcore") + ": no such file or directory (kernel built without CONFIG_PROC_KCORE, "
                + "or /proc not mounted; kernel-memory facts are unavailable)", e.getMessage().replace("No such", "no such"));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void filesThatAreNotKernelCoresAreFormatErrors() throws IOException {
        assertEquals(write(new byte[] {1, 2, 3}) + ": ELF: file is 3 bytes, shorter than the 64-byte ELF header",
                assertThrows(BpfFormatException.class, () -> Kcore.open(dir.resolve("kcore"))).getMessage());
        byte[] notElf = core();
        notElf[1] = 'X';
        assertTrue(assertThrows(BpfFormatException.class, () -> Kcore.open(write(notElf))).getMessage().endsWith("ELF: not an ELF file (bad magic)"));
        byte[] exec = core();
        exec[16] = 2;
        assertTrue(assertThrows(BpfFormatException.class, () -> Kcore.open(write(exec))).getMessage().endsWith("ELF type 2, want ET_CORE (4)"));
        byte[] noLoad = core();
        ByteBuffer.wrap(noLoad).order(ByteOrder.LITTLE_ENDIAN).putShort(56, (short) 1);
        assertTrue(assertThrows(BpfFormatException.class, () -> Kcore.open(write(noLoad))).getMessage().endsWith("no PT_LOAD segments"));
    }

    @Test
    void mutatedHeadersGiveBpfExceptionsOrAWorkingReader() throws IOException {
        Random r = new Random(11);
        byte[] clean = core();
        int opened = 0;
        for (int round = 0; round < 500; round++) {
            byte[] img = clean.clone();
            for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) img[r.nextInt(64 + 3 * 56 + 120)] = (byte) r.nextInt(256);
            Path p = write(img);
            try (Kcore k = Kcore.open(p)) {
                opened++;
                for (Kcore.Segment s : k.segments()) {
                    try {
                        k.read(s.vaddr(), (int) Math.min(s.size(), 64));
                    } catch (MemoryFault expected) {
                        // a segment pointing past the end of the file
                    }
                }
            } catch (BpfException e) {
                assertFalse(e.getMessage().contains("\n"));
            }
        }
        assertTrue(opened > 0);
    }
}
