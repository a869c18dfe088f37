package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DWARF vmlinux comes out of real .debs that dpkg-deb builds in the test, laid out as Debian's
 * linux-image-*-dbg packages are (build-id links, System.map, the vmlinux, then module debug files).
 */
class DebugVmlinuxTest {
    static final String REL = "5.10.0-32-amd64";

    static void run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    /** A -dbg package with {@code vmlinuxPath} (null: none) holding {@code image}, compressed with dpkg-deb's -Z{@code z}. */
    static Path deb(Path dir, String z, String vmlinuxPath, byte[] image) throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), """
                Package: linux-image-%s-dbg
                Version: 5.10.223-1
                Architecture: amd64
                Maintainer: test <test@example.org>
                Description: debug test package
                """.formatted(REL));
        Path b = Files.createDirectories(tree.resolve("usr/lib/debug/.build-id/1a"));
        Files.writeString(b.resolve("0123.debug"), "not this");
        Files.createDirectories(tree.resolve("usr/lib/debug/boot"));
        Files.writeString(tree.resolve("usr/lib/debug/boot/System.map-" + REL), "ffffffff81000000 T _stext\n");
        if (vmlinuxPath != null) {
            Path v = tree.resolve(vmlinuxPath);
            Files.createDirectories(v.getParent());
            Files.write(v, image);
        }
        // Module debug files, with a name longer than ustar's 100 bytes, after the vmlinux.
        Path mod = Files.createDirectories(tree.resolve("usr/lib/debug/lib/modules/" + REL + "/kernel/drivers/net/ethernet/some-vendor-with-a-long-name/and-a-deep-driver-directory"));
        Files.write(mod.resolve("a-driver-module-with-a-long-file-name-too.ko"), new byte[70_000]);
        Path out = dir.resolve("pkg.deb");
        run(dir, "dpkg-deb", "--root-owner-group", "-Z" + z, "--build", tree.toString(), out.toString());
        return out;
    }

    static byte[] image(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"xz", "gzip", "none", "zstd"})
    void copiesTheVmlinuxOutOfEachCompression(String z, @TempDir Path dir) throws Exception {
        byte[] img = image(300_001); // odd: the tar padding must be skipped right
        Path deb = deb(dir, z, "usr/lib/debug/boot/vmlinux-" + REL, img);
        Path dest = dir.resolve("vmlinux-dbg");
        DebugVmlinux.Found f = DebugVmlinux.extract(deb, REL, dest);
        assertEquals("usr/lib/debug/boot/vmlinux-" + REL, f.path());
        assertEquals(img.length, f.size());
        assertArrayEquals(img, Files.readAllBytes(dest));
    }

    @Test
    void findsTheVmlinuxInTheModulesDirectoryLayout(@TempDir Path dir) throws Exception {
        byte[] img = image(4096);
        Path deb = deb(dir, "xz", "usr/lib/debug/lib/modules/" + REL + "/vmlinux", img);
        DebugVmlinux.Found f = DebugVmlinux.extract(deb, REL, dir.resolve("v"));
        assertEquals("usr/lib/debug/lib/modules/" + REL + "/vmlinux", f.path());
        assertArrayEquals(img, Files.readAllBytes(dir.resolve("v")));
    }

    @Test
    void aPackageWithoutTheVmlinuxSaysSo(@TempDir Path dir) throws Exception {
        Path deb = deb(dir, "xz", "usr/lib/debug/boot/vmlinux-6.1.0-56-amd64", image(10));
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> DebugVmlinux.extract(deb, REL, dir.resolve("v")));
        assertTrue(e.getMessage().contains("no vmlinux for " + REL), e.getMessage());
        assertTrue(e.getMessage().contains("usr/lib/debug/boot/vmlinux-6.1.0-56-amd64"), e.getMessage());
    }

    @Test
    void aTruncatedOrForeignFileIsAFormatError(@TempDir Path dir) throws Exception {
        Path deb = deb(dir, "gzip", "usr/lib/debug/boot/vmlinux-" + REL, image(200_000));
        byte[] all = Files.readAllBytes(deb);
        Path cut = dir.resolve("cut.deb");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> DebugVmlinux.extract(cut, REL, dir.resolve("v")));
        assertTrue(e.getMessage().startsWith("cut.deb: "), e.getMessage());
        Path text = dir.resolve("text.deb");
        Files.writeString(text, "hello, not a package\n");
        BpfFormatException e2 = assertThrows(BpfFormatException.class, () -> DebugVmlinux.extract(text, REL, dir.resolve("v")));
        assertEquals("text.deb: not an ar archive (no !<arch> magic); is it a .deb?", e2.getMessage());
    }

    @Test
    void tarStreamReadsGnuAndPaxLongNames(@TempDir Path dir) throws Exception {
        String longDir = "d".repeat(70) + "/" + "e".repeat(70); // over 100 bytes, but splittable for ustar's prefix
        Path src = Files.createDirectories(dir.resolve("src").resolve(longDir));
        Files.writeString(src.resolve("f".repeat(99)), "payload");
        for (String format : List.of("gnu", "pax", "ustar")) {
            Path t = dir.resolve(format + ".tar");
            run(dir.resolve("src"), "tar", "--format=" + format, "-cf", t.toString(), ".");
            TarStream tar = new TarStream(Files.newInputStream(t), format);
            String found = null;
            for (TarStream.Entry e; (e = tar.next()) != null; ) {
                if (e.isFile()) {
                    found = e.path();
                    assertEquals("payload", new String(tar.data().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(longDir + "/" + "f".repeat(99), found, format);
        }
    }

    @Test
    void debugPackagesAreNamedAsDebianNamesThem() {
        assertEquals("linux-image-6.12.117+deb13-amd64-dbg", DebugVmlinux.packageName("6.12.117+deb13-amd64"));
        assertTrue(DebugVmlinux.isVmlinux("usr/lib/debug/usr/lib/modules/7.3.4+deb13-amd64/vmlinux", "7.3.4+deb13-amd64"));
        assertTrue(!DebugVmlinux.isVmlinux("usr/lib/debug/boot/vmlinux-7.3.4+deb13-amd64.map", "7.3.4+deb13-amd64"));
    }

    @Test
    void theDebugPackageIsTheKernelsExactVersion() throws Exception {
        String idx = """
                Package: linux-image-5.10.0-32-amd64-dbg
                Version: 5.10.223-1
                Filename: pool/main/l/linux/linux-image-5.10.0-32-amd64-dbg_5.10.223-1_amd64.deb
                Size: 801145720
                SHA256: %s

                Package: linux-image-5.10.0-32-amd64-dbg
                Version: 5.10.224-1
                Size: 801145721

                """.formatted("ab".repeat(32));
        KernelResolver r = new KernelResolver(List.of(PackageIndex.parse("bullseye", new java.io.StringReader(idx), KernelResolver::relevant)));
        PackageIndex.Entry e = r.debugPackage(REL, "5.10.223-1");
        assertEquals(801145720L, e.size());
        assertEquals("ab".repeat(32), e.sha256());
        io.bpf4j.BpfException x = assertThrows(io.bpf4j.BpfException.class, () -> r.debugPackage(REL, "5.10.222-1"));
        assertTrue(x.getMessage().contains("no suite has version 5.10.222-1 (only 5.10.223-1, 5.10.224-1"), x.getMessage());
    }

    @Test
    void theGuestGetsTheCachedVmlinuxUnlessTheUserSetTheVariable(@TempDir Path dir) throws Exception {
        Path kd = Files.createDirectories(dir.resolve("kernels/" + REL));
        java.util.Properties p = new java.util.Properties();
        p.setProperty("release", REL);
        p.setProperty("version", "5.10.223-1");
        CachedKernel k = new CachedKernel(kd, p);
        Lab lab = new Lab(dir, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        List<String> env = new java.util.ArrayList<>();
        assertEquals(java.util.Map.of(), lab.vmlinuxEnv(k, env, false), "nothing cached, nothing fetched");
        Files.write(kd.resolve(KernelStore.DEBUG_VMLINUX), new byte[] {0x7f, 'E', 'L', 'F'});
        assertEquals(java.util.Map.of("BPF4J_VMLINUX", kd.resolve("vmlinux-dbg").toString()), lab.vmlinuxEnv(k, env, false));
        env.add("BPF4J_VMLINUX=/elsewhere/vmlinux");
        assertEquals(java.util.Map.of(), lab.vmlinuxEnv(k, env, false), "the user's --env wins");
        p.setProperty("source", "local");
        Files.delete(kd.resolve(KernelStore.DEBUG_VMLINUX));
        io.bpf4j.BpfException e = assertThrows(io.bpf4j.BpfException.class, () -> lab.debugVmlinux(k, true));
        assertTrue(e.getMessage().contains("there is no Debian debug package for it"), e.getMessage());
    }
}
