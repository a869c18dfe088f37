package io.bpf4j.lab;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * A kernel ready to boot, in the cache: its vmlinuz, the modules the guest needs to reach the
 * host's files, in load order, and {@code kernel.properties} saying where it came from (package
 * versions and the sha256 of each .deb).
 */
public record CachedKernel(Path dir, Properties props) {

    public static final String PROPS = "kernel.properties";

    public static CachedKernel load(Path dir) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(PROPS))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + dir.resolve(PROPS) + ": " + e.getMessage(), e);
        }
        return new CachedKernel(dir, p);
    }

    /** What {@code uname -r} prints in the guest, e.g. {@code 6.1.0-56-amd64}. */
    public String release() {
        return props.getProperty("release");
    }

    /** The Debian package version ({@code 6.1.192-2}), or "local" for a kernel given by path. */
    public String version() {
        return props.getProperty("version", "local");
    }

    public String suite() {
        return props.getProperty("suite", "");
    }

    public String source() {
        return props.getProperty("source", "debian");
    }

    public Path vmlinuz() {
        return dir.resolve("vmlinuz");
    }

    /** Module files (under {@code modules/}) in the order insmod must load them. */
    public List<String> modules() {
        String m = props.getProperty("modules", "");
        return m.isBlank() ? List.of() : Arrays.asList(m.split(","));
    }
}
