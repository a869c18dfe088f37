package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfException;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelResolverTest {

    private static String stanza(String pkg, String version, String depends, long size) {
        return "Package: " + pkg + "\nVersion: " + version + "\n" + (depends.isEmpty() ? "" : "Depends: " + depends + "\n")
                + "Filename: pool/main/l/" + pkg + "_" + version + "_amd64.deb\nSize: " + size + "\nSHA256: " + "ab".repeat(32) + "\n\n";
    }

    private static PackageIndex index(String suite, String... stanzas) {
        try {
            return PackageIndex.parse(suite, new StringReader(String.join("", stanzas)), KernelResolver::relevant);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Today's archive, as issue 3 measured it: a metapackage per suite, 7.x split into binary/modules/base. */
    static List<PackageIndex> archive() {
        return List.of(
                index("bullseye",
                        stanza("linux-image-amd64", "5.10.223-1", "linux-image-5.10.0-32-amd64 (= 5.10.223-1)", 1500),
                        stanza("linux-image-5.10.0-32-amd64", "5.10.223-1", "kmod, linux-base (>= 4.3~)", 55_749_416),
                        stanza("linux-image-5.10.0-31-amd64", "5.10.221-1", "kmod", 55_000_000)),
                index("bookworm",
                        stanza("linux-image-amd64", "6.1.176-1", "linux-image-6.1.0-50-amd64 (= 6.1.176-1)", 1500),
                        stanza("linux-image-6.1.0-50-amd64", "6.1.176-1", "kmod", 70_000_000)),
                index("bookworm-security",
                        stanza("linux-image-amd64", "6.1.192-2", "linux-image-6.1.0-56-amd64 (= 6.1.192-2)", 1500),
                        stanza("linux-image-6.1.0-56-amd64", "6.1.192-2", "kmod", 70_550_672)),
                index("trixie",
                        stanza("linux-image-amd64", "6.12.117-1", "linux-image-6.12.117+deb13-amd64 (= 6.12.117-1)", 1500),
                        stanza("linux-image-6.12.117+deb13-amd64", "6.12.117-1", "kmod, initramfs-tools | linux-initramfs-tool", 108_488_460)),
                index("trixie-backports",
                        stanza("linux-image-amd64", "7.3.4-1~bpo13+1", "linux-base-amd64 (= 7.3.4-1~bpo13+1), linux-image-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1), linux-modules-amd64 (= 7.3.4-1~bpo13+1)", 1500),
                        stanza("linux-image-7.3.4+deb13-amd64", "7.3.4-1~bpo13+1", "dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, linux-base-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1), linux-binary-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1), linux-modules-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1)", 1900),
                        stanza("linux-binary-7.3.4+deb13-amd64", "7.3.4-1~bpo13+1", "linux-base-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1)", 14_138_336),
                        stanza("linux-modules-7.3.4+deb13-amd64", "7.3.4-1~bpo13+1", "kmod", 106_862_204),
                        stanza("linux-base-7.3.4+deb13-amd64", "7.3.4-1~bpo13+1", "", 1_077_476)),
                index("sid",
                        stanza("linux-image-amd64", "7.2.13-1", "linux-base-amd64 (= 7.2.13-1), linux-image-7.2.13+deb14-amd64 (= 7.2.13-1)", 1500),
                        stanza("linux-image-7.2.13+deb14-amd64", "7.2.13-1", "linux-binary-7.2.13+deb14-amd64 (= 7.2.13-1), linux-modules-7.2.13+deb14-amd64 (= 7.2.13-1)", 1900),
                        stanza("linux-binary-7.2.13+deb14-amd64", "7.2.13-1", "", 14_000_000),
                        stanza("linux-modules-7.2.13+deb14-amd64", "7.2.13-1", "", 100_000_000)));
    }

    private final KernelResolver resolver = new KernelResolver(archive());

    @Test
    void seriesFollowsTheMetapackageNotTheNewestAbiName() {
        KernelResolver.Resolved r = resolver.resolve(KernelSpec.parse("5.10"));
        assertEquals("5.10.0-32-amd64", r.release(), "the metapackage names -32, though -31 is also in the suite");
        assertEquals("bullseye", r.suite());
        assertEquals(List.of("linux-image-5.10.0-32-amd64"), r.debs().stream().map(PackageIndex.Entry::name).toList());
    }

    @Test
    void seriesTakesTheNewestSuiteOfThatSeries() {
        KernelResolver.Resolved r = resolver.resolve(KernelSpec.parse("6.1"));
        assertEquals("bookworm-security", r.suite());
        assertEquals("6.1.0-56-amd64", r.release());
        assertEquals("6.1.192-2", r.version());
    }

    @Test
    void seriesSixOneDoesNotMatchSixTwelve() {
        assertEquals("6.12.117+deb13-amd64", resolver.resolve(KernelSpec.parse("6.12")).release());
        assertTrue(resolver.resolve(KernelSpec.parse("6.1")).version().startsWith("6.1."));
    }

    @Test
    void latestIsTheBackportWhenItIsNewerThanSid() {
        KernelResolver.Resolved r = resolver.resolve(new KernelSpec.Latest());
        assertEquals("trixie-backports", r.suite());
        assertEquals("7.3.4+deb13-amd64", r.release());
    }

    @Test
    void splitKernelsDownloadBinaryModulesAndBaseNotTheEmptyImage() {
        KernelResolver.Resolved r = resolver.resolve(new KernelSpec.Latest());
        assertEquals(List.of("linux-binary-7.3.4+deb13-amd64", "linux-modules-7.3.4+deb13-amd64", "linux-base-7.3.4+deb13-amd64"),
                r.debs().stream().map(PackageIndex.Entry::name).toList());
        assertEquals(14_138_336L + 106_862_204L + 1_077_476L, r.downloadBytes());
    }

    @Test
    void aSplitKernelWithoutBaseStillResolves() {
        KernelResolver.Resolved r = resolver.resolve(KernelSpec.parse("7.2"));
        assertEquals("sid", r.suite());
        assertEquals(2, r.debs().size());
    }

    @Test
    void anExactPackageIsFoundInWhicheverSuiteHasIt() {
        KernelResolver.Resolved r = resolver.resolve(KernelSpec.parse("linux-image-6.1.0-50-amd64"));
        assertEquals("bookworm", r.suite());
        assertEquals("6.1.176-1", r.version());
        KernelResolver.Resolved b = resolver.resolve(KernelSpec.parse("linux-binary-7.3.4+deb13-amd64"));
        assertEquals("7.3.4+deb13-amd64", b.release());
        assertEquals(3, b.debs().size());
    }

    @Test
    void unknownSeriesAndPackagesFailWithWhatIsOffered() {
        var e = assertThrows(BpfException.class, () -> resolver.resolve(KernelSpec.parse("4.19")));
        assertTrue(e.getMessage().contains("5.10.223-1 (bullseye)"), e.getMessage());
        assertThrows(BpfException.class, () -> resolver.resolve(KernelSpec.parse("linux-image-9.9.9-1-amd64")));
    }

    @Test
    void currentListsEverySuite() {
        assertEquals(List.of("bullseye", "bookworm", "bookworm-security", "trixie", "trixie-backports", "sid"),
                resolver.current().stream().map(KernelResolver.Resolved::suite).toList());
    }
}
