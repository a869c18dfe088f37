package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackageIndexTest {

    static final String PACKAGES = """
            Package: linux-image-amd64
            Source: linux-signed-amd64 (6.1.192+2)
            Version: 6.1.192-2
            Installed-Size: 14
            Maintainer: Debian Kernel Team <debian-kernel@lists.debian.org>
            Architecture: amd64
            Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)
            Description: Linux for 64-bit PCs (meta-package)
             This package depends on the latest Linux kernel and modules for use on PCs.
             .
             Second paragraph.
            Filename: pool/main/l/linux-signed-amd64/linux-image-amd64_6.1.192-2_amd64.deb
            Size: 1492
            SHA256: 0d0f8aaf38d3e94a3bb4f05cbfc6e2f8aee48bd1aa55fd2e29b3b2a94dd3f9d4

            Package: zsh
            Version: 5.9-4
            Depends: libc6 (>= 2.34)

            Package: linux-image-6.1.0-56-amd64
            Version: 6.1.192-2
            Installed-Size: 398765
            Depends: kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool
            Recommends: firmware-linux-free, apparmor
            Filename: pool/main/l/linux-signed-amd64/linux-image-6.1.0-56-amd64_6.1.192-2_amd64.deb
            Size: 70550672
            SHA256: 5cb2c1e1e9a4b9a46e9c2a3fbb5b1e0c6c6a0ad2c2b9c1d5e4f3a2b1c0d9e8f7
            """;

    @Test
    void keepsOnlyTheWantedPackagesWithTheirFields() throws Exception {
        PackageIndex idx = PackageIndex.parse("bookworm-security", new StringReader(PACKAGES), KernelResolver::relevant);
        assertEquals(2, idx.size(), "zsh is filtered out");
        PackageIndex.Entry img = idx.newest("linux-image-6.1.0-56-amd64").orElseThrow();
        assertEquals("6.1.192-2", img.version());
        assertEquals(70550672L, img.size());
        assertEquals(398765L, img.installedSizeKiB());
        assertEquals("pool/main/l/linux-signed-amd64/linux-image-6.1.0-56-amd64_6.1.192-2_amd64.deb", img.filename());
        assertEquals("5cb2c1e1e9a4b9a46e9c2a3fbb5b1e0c6c6a0ad2c2b9c1d5e4f3a2b1c0d9e8f7", img.sha256());
        assertEquals(List.of(List.of("kmod"), List.of("linux-base"), List.of("initramfs-tools", "linux-initramfs-tool")), img.depends());
    }

    @Test
    void continuationLinesDoNotBreakTheStanza() throws Exception {
        PackageIndex idx = PackageIndex.parse("s", new StringReader(PACKAGES), n -> true);
        PackageIndex.Entry meta = idx.newest("linux-image-amd64").orElseThrow();
        assertEquals(1492L, meta.size(), "fields after the multi-line Description are still read");
        assertEquals(List.of("linux-image-6.1.0-56-amd64"), meta.dependencyNames());
    }

    @Test
    void newestPicksTheHighestDebianVersion() throws Exception {
        String two = "Package: linux-image-amd64\nVersion: 6.1.99-1\n\nPackage: linux-image-amd64\nVersion: 6.1.176-1\n";
        PackageIndex idx = PackageIndex.parse("s", new StringReader(two), n -> true);
        assertEquals("6.1.176-1", idx.newest("linux-image-amd64").orElseThrow().version());
        assertTrue(idx.find("linux-image-amd64", "6.1.99-1").isPresent());
    }

    /** Found by fuzzing: a line break of a folded field ended up inside a package name. */
    @Test
    void aFoldedRelationFieldBreaksNamesAtItsLineBreaks() {
        assertEquals(List.of(List.of("c"), List.of("e"), List.of("f")), PackageIndex.relations("c,\ne\n(>= 4.3~),\tf\t[amd64]"));
    }

    @Test
    void relationsDropVersionsArchQualifiersAndArchLists() {
        assertEquals(List.of(List.of("a", "b"), List.of("c"), List.of("d")),
                PackageIndex.relations("a (>= 1) | b:any, c [amd64], d<!nocheck>"));
    }

    @Test
    void malformedLinesAreFormatErrorsNamingTheSuiteAndLine() {
        var e = assertThrows(BpfFormatException.class,
                () -> PackageIndex.parse("trixie", new StringReader("Package: linux-image-x\nno colon here\n"), n -> true));
        assertTrue(e.getMessage().contains("trixie:2"), e.getMessage());
        assertThrows(BpfFormatException.class,
                () -> PackageIndex.parse("t", new StringReader("Package: linux-image-x\n"), n -> true), "no Version");
        assertThrows(BpfFormatException.class,
                () -> PackageIndex.parse("t", new StringReader("Package: linux-image-x\nVersion: 1\nSize: big\n"), n -> true));
    }
}
