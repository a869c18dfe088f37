package io.bpf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BtfCommandTest {
    private static byte[] small() {
        BtfBuilder b = new BtfBuilder();
        int i = b.addInt("int", 4, BtfType.Int.SIGNED);
        b.addStruct("pair", 8, List.of(new BtfType.Member("a", i, 0, 0), new BtfType.Member("b", i, 32, 0)));
        return b.toBytes();
    }

    @Test
    void dumpsAFileRawByDefaultAndAsC(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("small.btf"), small());
        CliRun raw = CliRun.of("btf", "dump", f.toString());
        assertEquals(0, raw.exit(), raw.err());
        assertEquals("""
                [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
                [2] STRUCT 'pair' size=8 vlen=2
                \t'a' type_id=1 bits_offset=0
                \t'b' type_id=1 bits_offset=32
                """, raw.out());
        CliRun c = CliRun.of("btf", "dump", "--format", "c", f.toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("struct pair {\n\tint a;\n\tint b;\n};\n"), c.out());
    }

    @Test
    void dumpsSplitBtfOnTopOfABase(@TempDir Path dir) throws IOException {
        byte[] baseBytes = small();
        BtfBuilder mod = new BtfBuilder(Btf.parse(baseBytes));
        mod.addTypedef("pair_t", 2);
        Path base = Files.write(dir.resolve("base.btf"), baseBytes);
        Path split = Files.write(dir.resolve("mod.btf"), mod.toBytes());
        CliRun r = CliRun.of("btf", "dump", "--base", base.toString(), split.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("[3] TYPEDEF 'pair_t' type_id=2\n", r.out());
    }

    @Test
    void withoutAFileDumpsTheKernelsBtfAsBpftoolDoes() throws Exception {
        CliRun r = CliRun.of("btf", "dump");
        assertEquals(0, r.exit(), r.err());
        Path out = Files.createTempFile("bpftool", ".raw");
        try {
            Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "bpftool (apt-get install -y bpftool)");
            assertTrue(r.out().equals(Files.readString(out, StandardCharsets.UTF_8)), "bpf4j btf dump == bpftool btf dump ... format raw");
        } finally {
            Files.delete(out);
        }
    }

    @Test
    void missingOrMalformedFileIsOneLineAndExitOne(@TempDir Path dir) throws IOException {
        CliRun missing = CliRun.of("btf", "dump", dir.resolve("nope.btf").toString());
        assertEquals(1, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.btf: no such file"), missing.err());

        Path bad = Files.write(dir.resolve("bad.btf"), "not btf at all, longer than a header".getBytes(StandardCharsets.UTF_8));
        CliRun malformed = CliRun.of("btf", "dump", "--format", "c", bad.toString());
        assertEquals(1, malformed.exit());
        assertEquals(1, malformed.err().lines().count(), malformed.err());
        assertTrue(malformed.err().contains("bad magic"), malformed.err());
        assertEquals("", malformed.out());
    }

    static void oneLine(CliRun r, String line) {
        assertEquals(line + "\n", r.err());
        assertEquals("", r.out());
        assertEquals(1, r.exit());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // it read /dev/zero for 87 s before running out of memory
    void aDeviceAPipeOrADirectoryIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
        oneLine(CliRun.of("btf", "dump", "/dev/zero"),
                "bpf4j btf dump: /dev/zero: not a regular file (a device or a pipe); btf dump reads raw BTF or an ELF file's .BTF section");
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        oneLine(CliRun.of("btf", "dump", "--format", "c", fifo.toString()),
                "bpf4j btf dump: " + fifo + ": not a regular file (a device or a pipe); btf dump reads raw BTF or an ELF file's .BTF section");
        oneLine(CliRun.of("btf", "dump", dir.toString()),
                "bpf4j btf dump: " + dir + ": a directory; btf dump reads raw BTF or an ELF file's .BTF section");
    }

    @Test
    void rawBtfLargerThanAnyBtfIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.btf");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.write(new byte[] {(byte) 0x9f, (byte) 0xeb, 1, 0});
            f.setLength(300L << 20); // sparse: no disk used
        }
        oneLine(CliRun.of("btf", "dump", big.toString()), "bpf4j btf dump: " + big + ": 300 MiB, larger than any BTF (256 MiB at most)");
    }

    /** The tools' BPF objects, as bpftool dumps their .BTF section. */
    static List<Path> objects() throws IOException {
        Path dir = Path.of("").toAbsolutePath().getParent().resolve("bpf4j-tools/src/main/resources/io/bpf4j/tools/bpf");
        try (var s = Files.list(dir)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".bpf.o")).sorted().toList();
            assertTrue(l.size() >= 3, "objects in " + dir);
            return l;
        }
    }

    @Test
    void anElfObjectsBtfSectionIsDumpedAsBpftoolDumpsIt() throws Exception {
        for (Path o : objects()) {
            CliRun r = CliRun.of("btf", "dump", o.toString());
            assertEquals(0, r.exit(), r.err());
            Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", o.toString(), "format", "raw")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String want = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "bpftool btf dump file " + o);
            assertTrue(want.length() > 1000, want);
            assertEquals(want, r.out(), o.toString());
            CliRun c = CliRun.of("btf", "dump", "--format", "c", o.toString());
            assertEquals(0, c.exit(), c.err());
            assertTrue(c.out().contains("#ifndef __VMLINUX_H__"), c.out());
        }
    }

    @Test
    void anElfFileWithoutBtfOrCutShortIsOneLine(@TempDir Path dir) throws Exception {
        oneLine(CliRun.of("btf", "dump", "/bin/true"), "bpf4j btf dump: /bin/true: an ELF file without a .BTF section (built without -g, or stripped)");
        byte[] whole = Files.readAllBytes(objects().getFirst());
        Path cut = Files.write(dir.resolve("cut.o"), java.util.Arrays.copyOf(whole, 100));
        oneLine(CliRun.of("btf", "dump", cut.toString()), "bpf4j btf dump: " + cut + ": malformed ELF: section header table outside the file");
    }
}
