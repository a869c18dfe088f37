package io.bpf4j.loader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed test objects (built by bpf/build-objects from src/test/bpf). */
final class Objects {
    private Objects() {}

    static final String DIR = "/io/bpf4j/loader/";

    static byte[] bytes(String name) {
        try (InputStream in = Objects.class.getResourceAsStream(DIR + name)) {
            if (in == null) throw new AssertionError("missing test object " + name + ": run bpf/build-objects");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the object to a file, for the external tools. */
    static Path file(Path dir, String name) {
        try {
            Path p = dir.resolve(name);
            Files.write(p, bytes(name));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectSpec spec(String name) {
        return ObjectSpec.resource(DIR + name);
    }
}
