package io.bpf4j.cli.inspect;

import io.bpf4j.BpfMap;
import io.bpf4j.BtfHandle;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;
import io.bpf4j.cli.CliRun;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The picocli-free `inspect map dump` prints exactly what the picocli command prints. */
class MapDumpFastPathTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static void assertSame(String... args) {
        CliRun f = InspectFastPathTest.fast(args), p = CliRun.of(args);
        assertNotEquals(-1, f.exit(), "not taken by the fast path: " + String.join(" ", args));
        assertEquals(p.exit(), f.exit(), String.join(" ", args) + ": " + p.err());
        assertEquals(p.err(), f.err(), String.join(" ", args));
        assertEquals(p.out(), f.out(), String.join(" ", args));
    }

    @Test
    void textJsonRawAndFailuresAreTheSameOnBothPaths() throws Exception {
        BtfBuilder b = new BtfBuilder();
        int u32 = b.addInt("unsigned int", 4, 0);
        int v = b.addStruct("v", 8, List.of(new BtfType.Member("a", u32, 0, 0), new BtfType.Member("b", u32, 32, 5)));
        String name = "mdf_" + Long.toHexString(System.nanoTime() & 0xffffffffL);
        Path dir = Path.of("/sys/fs/bpf/bpf4j-mapdump-fast-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        try (BtfHandle btf = BtfHandle.load(b.toBytes());
             BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 8).withName(name).withBtf(btf, u32, v))) {
            for (int k = 0; k < 3; k++) m.update(new byte[] {(byte) k, 0, 0, 0}, new byte[] {1, 2, 3, 4, (byte) k, 0, 0, 0}, BpfMap.ANY);
            m.pin(dir.resolve("m").toString());
            String id = String.valueOf(m.id());
            assertTrue(CliRun.of("inspect", "map", "dump", id).out().contains("\"b\": 0x2"));
            for (String[] args : List.of(new String[] {id}, new String[] {id, "--json"}, new String[] {"--raw", id},
                    new String[] {"id", id, "--json", "--raw"}, new String[] {"name", name}, new String[] {"pinned", dir + "/m"},
                    new String[] {"4294967295"}, new String[] {"name", name + "x"}, new String[] {"pinned", dir + "/none"})) {
                String[] all = new String[args.length + 3];
                all[0] = "inspect";
                all[1] = "map";
                all[2] = "dump";
                System.arraycopy(args, 0, all, 3, args.length);
                assertSame(all);
            }
            // A reader that goes away (| head): the dump stops at the next 64 KiB, quietly, exit 141.
            for (int k = 3; k < 8; k++) m.update(new byte[] {(byte) k, 0, 0, 0}, new byte[8], BpfMap.ANY);
            long[] written = {0};
            java.io.OutputStream closing = new java.io.OutputStream() {
                @Override
                public void write(int x) throws java.io.IOException {
                    write(new byte[] {(byte) x}, 0, 1);
                }

                @Override
                public void write(byte[] bs, int off, int len) throws java.io.IOException {
                    written[0] += len;
                    throw new java.io.IOException("Broken pipe");
                }
            };
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = MapDumpCommand.dump(m, new io.bpf4j.tools.mapdump.MapDump.Options(false, false, 3),
                    new java.io.PrintStream(closing), new java.io.PrintStream(err));
            assertEquals(141, code);
            assertEquals("", err.toString());
            assertTrue(written[0] > 0);
            // Forms the fast path leaves to picocli: usage errors, --depth, options before "dump".
            for (String[] args : List.of(new String[] {"inspect", "map", "dump", "x"}, new String[] {"inspect", "map", "dump", id, "--depth", "1"},
                    new String[] {"inspect", "--json", "map", "dump", id}, new String[] {"inspect", "map", "dump", id, "--json", "--json"}))
                assertEquals(-1, InspectFastPathTest.fast(args).exit(), String.join(" ", args));
        } finally {
            Files.deleteIfExists(dir.resolve("m"));
            Files.deleteIfExists(dir);
        }
    }
}
