package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpioWriterTest {

    private static byte[] archive() throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (CpioWriter c = new CpioWriter(bos)) {
            c.directory("bin", 0755);
            c.directory("dev", 0755);
            c.charDevice("dev/console", 0600, 5, 1);
            c.file("bin/busybox", 0755, "#!not really\n".getBytes(StandardCharsets.UTF_8));
            c.symlink("bin/sh", "busybox");
            c.file("/init", 0700, "x".repeat(1001).getBytes(StandardCharsets.UTF_8)); // odd size: tests padding
            c.file("empty", 0644, new byte[0]);
        }
        return bos.toByteArray();
    }

    private static String run(Path dir, byte[] stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + err);
        return out;
    }

    @Test
    void gnuCpioListsEveryEntryInOrder(@TempDir Path dir) throws Exception {
        String list = run(dir, archive(), "cpio", "-i", "-t", "-H", "newc", "--quiet");
        assertEquals(List.of("bin", "dev", "dev/console", "bin/busybox", "bin/sh", "init", "empty"), list.lines().toList());
    }

    @Test
    void gnuCpioSeesTypesModesSizesAndDeviceNumbers(@TempDir Path dir) throws Exception {
        List<String> v = run(dir, archive(), "cpio", "-i", "-t", "-v", "-H", "newc", "--quiet").lines().toList();
        assertTrue(v.get(0).startsWith("drwxr-xr-x"), v.get(0));
        assertTrue(v.get(2).startsWith("crw-------") && v.get(2).matches(".*\\b5,\\s+1\\b.*"), v.get(2));
        assertTrue(v.get(3).startsWith("-rwxr-xr-x") && v.get(3).contains(" 13 "), v.get(3));
        assertTrue(v.get(4).startsWith("lrwxrwxrwx") && v.get(4).endsWith("bin/sh -> busybox"), v.get(4));
        assertTrue(v.get(5).startsWith("-rwx------") && v.get(5).contains(" 1001 "), v.get(5));
    }

    @Test
    void extractedFilesHaveTheWrittenBytes(@TempDir Path dir) throws Exception {
        run(dir, archive(), "cpio", "-i", "-d", "-H", "newc", "--quiet", "--no-absolute-filenames", "init", "bin/*", "empty");
        assertArrayEquals("x".repeat(1001).getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("init")));
        assertEquals("busybox", Files.readSymbolicLink(dir.resolve("bin/sh")).toString());
        assertEquals(0, Files.size(dir.resolve("empty")));
    }

    @Test
    void archiveIsNewcAndBlockPadded() throws Exception {
        byte[] a = archive();
        assertEquals("070701", new String(a, 0, 6, StandardCharsets.US_ASCII));
        assertEquals(0, a.length % 512);
        assertTrue(new String(a, StandardCharsets.US_ASCII).contains("TRAILER!!!"));
    }

    @Test
    void sameInputsGiveIdenticalBytes() throws Exception {
        assertArrayEquals(archive(), archive(), "no timestamps: a cached initramfs can be compared");
    }

    @Test
    void emptyPathsAndWritesAfterFinishAreRejected() throws Exception {
        CpioWriter c = new CpioWriter(new ByteArrayOutputStream());
        assertThrows(IllegalArgumentException.class, () -> c.file("/", 0644, new byte[0]));
        c.finish();
        assertThrows(IllegalStateException.class, () -> c.directory("x", 0755));
    }
}
