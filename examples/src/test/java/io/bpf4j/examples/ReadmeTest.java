package io.bpf4j.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's "Use it from your project" stays true: its Java example is lines of the kprobe
 * example, in their order (so it compiles, as that file does), its Maven version is the build's,
 * and it lists every example.
 */
class ReadmeTest {
    static final Path TOP = Path.of("").toAbsolutePath().getParent();

    static String section() throws IOException {
        String readme = Files.readString(TOP.resolve("README.md"));
        int start = readme.indexOf("\n## Use it from your project\n");
        assertTrue(start >= 0, "README.md has no 'Use it from your project' section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theJavaExampleIsTheKprobeExamplesOwnCode() throws IOException {
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section());
        assertTrue(block.find(), "no java block");
        List<String> snippet = block.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertTrue(snippet.size() >= 10 && snippet.size() <= 16, snippet.size() + " lines");
        List<String> source = Files.readAllLines(TOP.resolve("examples/src/main/java/io/bpf4j/examples/kprobe/Main.java"))
                .stream().map(String::strip).toList();
        int at = 0;
        for (String line : snippet) {
            int found = source.subList(at, source.size()).indexOf(line);
            assertTrue(found >= 0, "README line not in kprobe/Main.java after line " + at + ": " + line);
            at += found + 1;
        }
    }

    @Test
    void theMavenVersionIsTheBuilds() throws IOException {
        Matcher pom = Pattern.compile("<artifactId>bpf4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(TOP.resolve("pom.xml")));
        assertTrue(pom.find());
        String s = section();
        assertTrue(s.contains("<groupId>io.bpf4j</groupId>\n  <artifactId>bpf4j-core</artifactId>\n  <version>" + pom.group(1) + "</version>"), s);
    }

    @Test
    void everyExampleIsListed() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(TOP.resolve("examples/src/main/java/io/bpf4j/examples"))) {
            dirs.filter(Files::isDirectory).forEach(d -> names.add(d.getFileName().toString()));
        }
        assertEquals(5, names.size(), names.toString());
        String s = section(), examplesReadme = Files.readString(TOP.resolve("examples/README.md"));
        for (String n : names) {
            String link = "(examples/src/main/java/io/bpf4j/examples/" + n + "/Main.java)";
            assertTrue(s.contains("- [" + n + "]" + link), "README does not list " + n);
            assertTrue(examplesReadme.contains("| [" + n + "](src/main/java/io/bpf4j/examples/" + n + "/Main.java) |"), "examples/README.md does not list " + n);
        }
    }
}
