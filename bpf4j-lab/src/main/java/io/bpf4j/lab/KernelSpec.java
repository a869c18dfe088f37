package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What the user asked for with {@code --kernel}: a Debian kernel series ({@code 6.1}), the newest
 * kernel Debian ships ({@code latest}), an exact Debian package, or a vmlinuz on disk.
 */
public sealed interface KernelSpec {

    /** The text the user wrote; cache aliases and lab report directories are named by it. */
    String text();

    /** The newest Debian kernel whose upstream version is in this series, e.g. {@code 6.1} → 6.1.192. */
    record Series(String text) implements KernelSpec {}

    /** The newest kernel of all configured suites (trixie-backports or sid). */
    record Latest() implements KernelSpec {
        @Override
        public String text() {
            return "latest";
        }
    }

    /** An exact Debian package: {@code linux-image-6.1.0-50-amd64} or {@code linux-binary-7.3.4+deb13-amd64}. */
    record DebianPackage(String text) implements KernelSpec {}

    /** A kernel image on disk, with its modules tree ({@code lib/modules/RELEASE}) or none when 9p is built in. */
    record Local(String text, Path vmlinuz, Path modules) implements KernelSpec {}

    Pattern SERIES = Pattern.compile("\\d+\\.\\d+");
    Pattern PACKAGE = Pattern.compile("linux-(image|binary)-[0-9][A-Za-z0-9.+~-]*");

    static KernelSpec parse(String text, Path modules) {
        if (text == null || text.isBlank()) throw new BpfFormatException("kernel spec: empty (use 5.10, 6.1, 6.12, latest, a package or a vmlinuz path)");
        String t = text.strip();
        if (t.equals("latest")) return new Latest();
        if (SERIES.matcher(t).matches()) return new Series(t);
        if (PACKAGE.matcher(t).matches()) return new DebianPackage(t);
        if (t.contains("/") || Files.isRegularFile(Path.of(t))) {
            Path p = Path.of(t).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) throw new BpfFormatException("kernel spec: no such vmlinuz: " + p);
            return new Local(t, p, modules == null ? null : modules.toAbsolutePath().normalize());
        }
        throw new BpfFormatException("kernel spec: '" + Escape.text(t) + "' is not a series (6.1), 'latest', a linux-image-*/linux-binary-* package or a path to a vmlinuz");
    }

    static KernelSpec parse(String text) {
        return parse(text, null);
    }
}
