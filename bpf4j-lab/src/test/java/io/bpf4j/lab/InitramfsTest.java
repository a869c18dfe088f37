package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {

    private static CachedKernel fakeKernel(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("modules"));
        Files.writeString(dir.resolve("modules/netfs.ko"), "netfs");
        Files.writeString(dir.resolve("modules/9p.ko"), "ninep");
        Properties p = new Properties();
        p.setProperty("release", "6.12.117+deb13-amd64");
        p.setProperty("modules", "netfs.ko,9p.ko");
        return new CachedKernel(dir, p);
    }

    private static String cpio(Path cwd, byte[] in, String... args) throws Exception {
        Process p = new ProcessBuilder(args).directory(cwd.toFile()).start();
        try (var os = p.getOutputStream()) {
            os.write(in);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void holdsBusyboxInitConsoleAndTheModulesInLoadOrder(@TempDir Path dir) throws Exception {
        CachedKernel k = fakeKernel(dir.resolve("k"));
        Path gz = Initramfs.forKernel(k);
        assertTrue(gz.getFileName().toString().matches("initramfs-[0-9a-f]{12}\\.cpio\\.gz"), gz.toString());
        byte[] raw;
        try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
            raw = in.readAllBytes();
        }
        List<String> names = cpio(dir, raw, "cpio", "-i", "-t", "-H", "newc", "--quiet").lines().toList();
        assertTrue(names.containsAll(List.of("init", "bin/busybox", "bin/sh", "dev/console", "lib/modules/netfs.ko",
                "lib/modules/9p.ko", "lib/modules/load-order")), names.toString());
        Path x = Files.createDirectory(dir.resolve("x"));
        cpio(x, raw, "cpio", "-i", "-d", "-H", "newc", "--quiet", "init", "lib/modules/*");
        assertEquals("netfs.ko\n9p.ko\n", Files.readString(x.resolve("lib/modules/load-order")));
        assertEquals(GuestInit.SCRIPT, Files.readString(x.resolve("init")));
        assertTrue(Files.isExecutable(x.resolve("init")));
    }

    @Test
    void isCachedAndRebuiltOnlyWhenAnInputChanges(@TempDir Path dir) throws Exception {
        CachedKernel k = fakeKernel(dir);
        Path first = Initramfs.forKernel(k);
        long mtime = Files.getLastModifiedTime(first).toMillis();
        assertEquals(first, Initramfs.forKernel(k));
        assertEquals(mtime, Files.getLastModifiedTime(first).toMillis(), "reused, not rewritten");
        Files.writeString(dir.resolve("modules/9p.ko"), "ninep, rebuilt");
        Path second = Initramfs.forKernel(k);
        assertFalse(second.equals(first), "a changed module makes a new initramfs");
        assertFalse(Files.exists(first), "and the stale one is removed");
    }

    @Test
    void onlyAStaticBusyboxWillDo() throws Exception {
        assertTrue(Initramfs.isStaticElf(Initramfs.staticBusybox()));
        assertFalse(Initramfs.isStaticElf(Path.of("/bin/ls")), "dynamically linked: has PT_INTERP");
        assertFalse(Initramfs.isStaticElf(Path.of("/etc/hostname")), "not ELF");
    }

    @Test
    void theGuestInitIsValidShell() throws Exception {
        Process p = new ProcessBuilder("sh", "-n").start();
        try (var os = p.getOutputStream()) {
            os.write(GuestInit.SCRIPT.getBytes(StandardCharsets.UTF_8));
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
    }
}
