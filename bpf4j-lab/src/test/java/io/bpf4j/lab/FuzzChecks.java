package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The lab's fuzz tests' shared checks (bpf4j-core's test fixtures are not on this module's test path). */
final class FuzzChecks {
    private FuzzChecks() {}

    /** A rejection is one printable line. */
    static void assertOneLine(BpfFormatException e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty() || !Escape.isPrintable(m)) throw new AssertionError("not one printable line: " + Escape.text(m), e);
    }

    /** The committed inputs Jazzer replays for {@code test#method}. */
    static List<byte[]> inputs(Class<?> test, String method) {
        URL dir = test.getResource(test.getSimpleName() + "Inputs/" + method);
        if (dir == null) throw new AssertionError("no committed inputs for " + test.getSimpleName() + "#" + method);
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) out.add(Files.readAllBytes(f));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
