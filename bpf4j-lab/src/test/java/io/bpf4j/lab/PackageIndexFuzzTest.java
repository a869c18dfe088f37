package io.bpf4j.lab;

import static io.bpf4j.lab.FuzzChecks.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.BpfFormatException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A Debian {@code Packages} index from any bytes (the first byte picks the filter: every package,
 * or the kernel lab's {@code linux-*}). Rejections are one-line format errors; an accepted index
 * keeps only names the filter accepts, every version in it parses, {@code newest} is the maximum
 * by {@link DebianVersion#ORDER}, and the entries written back as deb822 parse to the same
 * entries.
 */
class PackageIndexFuzzTest {
    static PackageIndex check(byte[] data) throws IOException {
        if (data.length == 0) return null;
        Predicate<String> keep = (data[0] & 1) == 0 ? n -> true : n -> n.startsWith("linux-");
        String text = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        PackageIndex idx;
        try {
            idx = PackageIndex.parse("fuzz", new StringReader(text), keep);
        } catch (BpfFormatException e) {
            assertOneLine(e);
            return null;
        }
        StringBuilder deb822 = new StringBuilder();
        int entries = 0;
        for (String name : idx.names()) {
            assertTrue(keep.test(name), name);
            List<PackageIndex.Entry> all = idx.all(name);
            PackageIndex.Entry newest = idx.newest(name).orElseThrow();
            for (PackageIndex.Entry e : all) {
                assertEquals(name, e.name());
                DebianVersion.parse(e.version());
                assertTrue(DebianVersion.ORDER.compare(newest.version(), e.version()) >= 0, newest.version() + " < " + e.version());
                assertEquals(e.version(), idx.find(name, e.version()).orElseThrow().version());
                write(deb822, e);
                entries++;
            }
        }
        assertEquals(entries, idx.size());
        PackageIndex again = PackageIndex.parse("again", new StringReader(deb822.toString()), n -> true);
        assertEquals(idx.names(), again.names());
        for (String name : idx.names()) assertEquals(idx.all(name), again.all(name), name);
        return idx;
    }

    /** One stanza; a value's newlines (from continuation lines) become continuation lines again. */
    private static void write(StringBuilder out, PackageIndex.Entry e) {
        field(out, "Package", e.name());
        field(out, "Version", e.version());
        if (!e.depends().isEmpty())
            field(out, "Depends", e.depends().stream().map(alts -> String.join(" | ", alts)).collect(Collectors.joining(", ")));
        field(out, "Filename", e.filename());
        field(out, "SHA256", e.sha256());
        field(out, "Size", Long.toString(e.size()));
        field(out, "Installed-Size", Long.toString(e.installedSizeKiB()));
        out.append('\n');
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value.replace("\n", "\n ")).append('\n');
    }

    @FuzzTest
    void parse(byte[] data) throws IOException {
        check(data);
    }

    @Test
    void theCommittedCorpusHoldsPackages() throws IOException {
        List<byte[]> inputs = FuzzChecks.inputs(PackageIndexFuzzTest.class, "parse");
        int withPackages = 0;
        for (byte[] in : inputs) {
            PackageIndex idx = check(in);
            if (idx != null && idx.size() > 0) withPackages++;
        }
        assertTrue(inputs.size() >= 10 && withPackages * 4 >= inputs.size(), withPackages + " of " + inputs.size() + " inputs hold packages");
    }

    @Test
    void aKernelStanzaRoundTrips() throws IOException {
        byte[] text = ("\0Package: linux-image-6.1.0-57-amd64\nVersion: 6.1.158-1\nDepends: kmod, linux-base (>= 4.3~),\n initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool\n"
                + "Filename: pool/main/l/linux-signed-amd64/x.deb\nSize: 70000000\nSHA256: ab\n").getBytes(StandardCharsets.UTF_8);
        PackageIndex idx = check(text);
        assertEquals(List.of(List.of("kmod"), List.of("linux-base"), List.of("initramfs-tools", "linux-initramfs-tool")),
                idx.newest("linux-image-6.1.0-57-amd64").orElseThrow().depends());
        assertEquals(Arrays.asList(), idx.all("nosuch"));
    }
}
