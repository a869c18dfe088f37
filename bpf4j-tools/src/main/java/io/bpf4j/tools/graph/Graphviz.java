package io.bpf4j.tools.graph;

import io.bpf4j.BpfException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs graphviz's {@code dot} (Debian's package {@code graphviz}) to lay a DOT graph out as
 * SVG. bpf4j does not lay graphs out itself; without {@code dot} on the PATH, SVG and HTML
 * output fail with one line that says how to get it.
 */
public final class Graphviz {
    private Graphviz() {}

    /** The {@code dot} executable on the PATH, if any. */
    public static Optional<Path> dot() {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "dot");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** {@code dot -Tsvg} of {@code dotText}: the SVG document, as dot writes it. */
    public static String svg(String dotText) {
        Path dot = dot().orElseThrow(() -> new BpfException(
                "SVG needs graphviz's dot, which is not installed (apt-get install graphviz); --format dot prints the graph for it"));
        Process p;
        try {
            p = new ProcessBuilder(List.of(dot.toString(), "-Tsvg")).start();
        } catch (IOException e) {
            throw new BpfException("run " + dot + ": " + e.getMessage());
        }
        try {
            byte[] in = dotText.getBytes(StandardCharsets.UTF_8);
            Thread writer = Thread.ofVirtual().start(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(in);
                } catch (IOException e) {
                    // dot exited early; its exit code and stderr say why
                }
            });
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new BpfException(dot + " -Tsvg did not finish in 60 s");
            writer.join();
            errReader.join();
            if (p.exitValue() != 0) {
                String first = err.toString(StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
                throw new BpfException(dot + " -Tsvg failed (exit " + p.exitValue() + ")" + (first.isEmpty() ? "" : ": " + first));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BpfException("run " + dot + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BpfException("interrupted while " + dot + " ran");
        } finally {
            p.destroy();
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            // stderr closed
        }
    }
}
