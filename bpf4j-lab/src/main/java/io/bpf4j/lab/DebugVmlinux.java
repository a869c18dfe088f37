package io.bpf4j.lab;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Takes the DWARF vmlinux out of a Debian {@code linux-image-*-dbg} package without unpacking
 * the package: the .deb is read as an ar stream, its {@code data.tar.xz} is decompressed by an
 * {@code xz} child process and read as a tar stream until the vmlinux has been copied out; the
 * other 4-5 GB of module debug files behind it are never decompressed.
 */
final class DebugVmlinux {
    private DebugVmlinux() {}

    /** The package holding a release's DWARF vmlinux, as Debian names it. */
    static String packageName(String release) {
        return "linux-image-" + release + "-dbg";
    }

    /** Where Debian's -dbg packages have put the vmlinux (boot/ up to 6.x, the modules directory in the merged-/usr layout). */
    static boolean isVmlinux(String path, String release) {
        return path.equals("usr/lib/debug/boot/vmlinux-" + release)
                || path.equals("usr/lib/debug/lib/modules/" + release + "/vmlinux")
                || path.equals("usr/lib/debug/usr/lib/modules/" + release + "/vmlinux");
    }

    /** What {@link #extract} found: the path inside the package and the bytes written. */
    record Found(String path, long size) {}

    /**
     * Copies the release's vmlinux out of {@code deb} into {@code dest}. Stops reading at the
     * vmlinux. Fails with a one-line reason when the package holds none.
     */
    static Found extract(Path deb, String release, Path dest) throws IOException {
        String what = deb.getFileName().toString();
        try (ArArchive ar = new ArArchive(Files.newInputStream(deb), what)) {
            for (ArArchive.Member m; (m = ar.next()) != null; ) {
                if (!m.name().startsWith("data.tar")) continue;
                String compression = m.name().substring("data.tar".length());
                return switch (compression) {
                    case "" -> fromTar(m.data(), what, release, dest);
                    case ".gz" -> fromTar(new GZIPInputStream(m.data(), 1 << 16), what, release, dest);
                    case ".xz", ".zst" -> throughChild(compression.equals(".xz") ? "xz" : "zstd", m.data(), what, release, dest);
                    default -> throw new BpfFormatException(what + ": unknown data member compression " + Escape.text(m.name()));
                };
            }
        }
        throw new BpfFormatException(what + ": no data.tar member; not a Debian package");
    }

    /** Decompresses with {@code tool -dc}: a thread feeds it the member, we read its output as tar. */
    private static Found throughChild(String tool, InputStream compressed, String what, String release, Path dest) throws IOException {
        Process p;
        try {
            // -T0: Debian's data.tar.xz has ~300 blocks, so xz decodes them on every core. 7.x puts
            // the vmlinux after all module debug files (7.6 GB of tar): 64 s of CPU, half with 2 cores.
            List<String> cmd = tool.equals("xz") ? List.of("xz", "-T0", "-dc") : List.of(tool, "-dc");
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new BpfException("run " + tool, 0, "cannot start it (" + e.getMessage() + "); install " + (tool.equals("xz") ? "xz-utils" : "zstd"));
        }
        Thread feeder = Thread.ofPlatform().daemon().name("bpf4j-" + tool + "-feed").start(() -> {
            try (OutputStream o = p.getOutputStream()) {
                compressed.transferTo(o);
            } catch (IOException ignored) {
                // We stopped reading at the vmlinux and killed the decompressor: a broken pipe is expected.
            }
        });
        try (InputStream plain = p.getInputStream()) {
            return fromTar(plain, what, release, dest);
        } finally {
            p.destroyForcibly();
            try {
                feeder.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Found fromTar(InputStream in, String what, String release, Path dest) throws IOException {
        TarStream tar = new TarStream(in, what + " data.tar");
        List<String> seen = new java.util.ArrayList<>();
        for (TarStream.Entry e; (e = tar.next()) != null; ) {
            if (!e.isFile()) continue;
            if (isVmlinux(e.path(), release)) {
                try (OutputStream o = Files.newOutputStream(dest)) {
                    long n = tar.data().transferTo(o);
                    if (n != e.size()) throw new BpfFormatException(what + ": " + Escape.text(e.path()) + " ended after " + n + " of " + e.size() + " bytes");
                }
                return new Found(e.path(), e.size());
            }
            if (seen.size() < 3 && e.path().contains("vmlinux")) seen.add(e.path());
        }
        throw new BpfFormatException(what + ": no vmlinux for " + release + " in the package"
                + (seen.isEmpty() ? "" : " (it has " + String.join(", ", seen) + ")"));
    }
}
