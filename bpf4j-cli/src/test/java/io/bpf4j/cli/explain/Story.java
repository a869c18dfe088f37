package io.bpf4j.cli.explain;

import io.bpf4j.tools.ToolObjects;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The story's demo built with libbpf ({@code story.c}) and the two BPF objects it loads, under
 * target/ (the kernel lab shares target/ read-write; the rest of the host's root is read-only).
 */
final class Story {
    private Story() {}

    static Path dir() {
        return Path.of("target", "explain-test").toAbsolutePath();
    }

    /** Builds the loader where it is missing or older than its source; writes the objects. */
    static synchronized Path build() throws Exception {
        Path dir = dir();
        Files.createDirectories(dir);
        for (String o : List.of(ToolObjects.TAILCALL_TCPCONN, ToolObjects.TAILCALL_FREPLACE)) {
            try (InputStream in = ToolObjects.class.getResourceAsStream("/io/bpf4j/tools/bpf/" + o)) {
                Files.write(dir.resolve(o), in.readAllBytes());
            }
        }
        Path src = dir.resolve("story.c"), bin = dir.resolve("story");
        byte[] c;
        try (InputStream in = Story.class.getResourceAsStream("story.c")) {
            c = in.readAllBytes();
        }
        if (!Files.exists(bin) || !Files.exists(src) || !java.util.Arrays.equals(Files.readAllBytes(src), c)) {
            Files.write(src, c);
            ExplainCommandTest.Run cc = ExplainCommandTest.Run.of(List.of("gcc", "-O1", "-Wall", "-o", bin.toString(), src.toString(), "-lbpf"), 300);
            assertEquals(0, cc.exit(), "gcc story.c with libbpf-dev: " + cc.err());
        }
        return bin;
    }
}
