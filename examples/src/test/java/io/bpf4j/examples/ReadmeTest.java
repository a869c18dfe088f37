package io.bpf4j.examples;

import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's "Use it from your project" stays true: its Java snippet compiles against the
 * library (and is the kprobe example's own code, in its order), its Maven coordinates are
 * bpf4j-core's pom's, the module it tells you to require is the one bpf4j-core declares, and it
 * lists every example.
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

    static List<String> snippet() throws IOException {
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section());
        assertTrue(block.find(), "no java block");
        return block.group(1).lines().toList();
    }

    /**
     * The snippet's imports at the top of a class, its other lines as the body of a method whose
     * parameters are the names the README leaves to the reader ({@code pid}, {@code function},
     * {@code seconds}, {@code out}) and beside {@code object()}, written as the kprobe example
     * writes it; compiled with javac on the class path that holds bpf4j-core.
     */
    @Test
    void theJavaSnippetCompilesAgainstTheLibrary() throws IOException {
        List<String> imports = new ArrayList<>(), body = new ArrayList<>();
        for (String l : snippet()) (l.startsWith("import ") ? imports : body).add(l);
        assertTrue(imports.size() >= 3 && body.size() >= 8, "imports " + imports + ", body " + body);
        String source = String.join("\n", imports) + """

                import java.io.InputStream;
                import java.io.PrintStream;

                class Snippet {
                    static ObjectSpec object(String file) throws java.io.IOException {
                        try (InputStream in = Snippet.class.getResourceAsStream(file)) {
                            return ObjectSpec.read(in, file);
                        }
                    }

                    static void run(int pid, String function, long seconds, PrintStream out) throws Exception {
                """ + String.join("\n", body) + "\n    }\n}\n";

        // javac through java.util.spi.ToolProvider (java.base): the examples module reads no
        // java.compiler, and its tests are compiled into it.
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("no javac (tests need a JDK)"));
        Path dir = Files.createTempDirectory("bpf4j-readme");
        try {
            Path file = Files.writeString(dir.resolve("Snippet.java"), source);
            String core = codeSource(io.bpf4j.BpfMap.class).toString();
            StringWriter diagnostics = new StringWriter();
            // -Xlint:try is off: the snippet holds the kprobe link in its try only to close it.
            int rc = javac.run(new PrintWriter(diagnostics), new PrintWriter(diagnostics),
                    "-classpath", core, "-d", dir.toString(), "-proc:none", "-Xlint:all,-try", "-Werror", file.toString());
            assertEquals(0, rc, "the README's snippet does not compile against " + core + ":\n" + diagnostics + "\n" + source);
            assertTrue(Files.isRegularFile(dir.resolve("Snippet.class")));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    @Test
    void theJavaSnippetIsTheKprobeExamplesOwnCode() throws IOException {
        List<String> snippet = snippet().stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
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

    /** groupId and version come from the parent, artifactId from bpf4j-core's own pom. */
    @Test
    void theMavenCoordinatesAreBpf4jCoresPoms() throws IOException {
        String core = Files.readString(TOP.resolve("bpf4j-core/pom.xml")), top = Files.readString(TOP.resolve("pom.xml"));
        Matcher parent = Pattern.compile("<parent>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>bpf4j-parent</artifactId>\\s*<version>([^<]+)</version>\\s*</parent>\\s*<artifactId>([^<]+)</artifactId>")
                .matcher(core);
        assertTrue(parent.find(), "bpf4j-core/pom.xml: no <parent> followed by the module's <artifactId>");
        String groupId = parent.group(1), version = parent.group(2), artifactId = parent.group(3);
        assertEquals("bpf4j-core", artifactId);
        // The parent pom declares the same coordinates that bpf4j-core's <parent> names.
        assertTrue(Pattern.compile("<groupId>" + Pattern.quote(groupId) + "</groupId>\\s*<artifactId>bpf4j-parent</artifactId>\\s*<version>"
                + Pattern.quote(version) + "</version>").matcher(top).find(), "pom.xml is not " + groupId + ":bpf4j-parent:" + version);

        Matcher xml = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(section());
        assertTrue(xml.find(), "no xml block");
        assertEquals("""
                <dependency>
                  <groupId>%s</groupId>
                  <artifactId>%s</artifactId>
                  <version>%s</version>
                </dependency>
                """.formatted(groupId, artifactId, version), xml.group(1));
    }

    @Test
    void theModuleToRequireIsTheOneTheLibraryDeclares() throws IOException {
        Matcher m = Pattern.compile("(?m)^module\\s+([\\w.]+)\\s*\\{")
                .matcher(Files.readString(TOP.resolve("bpf4j-core/src/main/java/module-info.java")));
        assertTrue(m.find());
        String module = m.group(1);
        String s = section();
        assertTrue(s.contains("(the module `" + module + "`)"), s);
        assertTrue(s.contains("`requires " + module + ";`"), s);
        assertTrue(s.contains("`--enable-native-access=" + module + "`"), s);
        // The examples themselves use the library the way the README says.
        assertTrue(Files.readString(TOP.resolve("examples/src/main/java/module-info.java")).contains("requires " + module + ";"));
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

    /** The classes directory or jar a class was loaded from. */
    static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
