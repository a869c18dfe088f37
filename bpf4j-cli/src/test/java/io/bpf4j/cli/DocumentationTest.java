package io.bpf4j.cli;

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
 * Every public type of the five modules (the four and the examples) has a doc comment, and every package a package-info
 * with the kernel it requires in one format. (The javadoc build in {@code verify} checks the
 * comments' syntax and references, with doclint, and fails on any warning.)
 */
class DocumentationTest {
    private static final List<String> MODULES = List.of("bpf4j-core", "bpf4j-tools", "bpf4j-lab", "bpf4j-cli", "examples");
    private static final Pattern DECLARATION = Pattern.compile(
            "(?m)^\\s*public\\s+(?:(?:static|final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|record|enum|@interface)\\s+(\\w+)");
    private static final Pattern TRAILING_ANNOTATION = Pattern.compile("@[\\w.]+\\s*$");

    /** The sources of the modules: the test runs in bpf4j-cli, beside them. */
    static List<Path> sources() throws IOException {
        Path top = Path.of("").toAbsolutePath().getParent();
        List<Path> out = new ArrayList<>();
        for (String m : MODULES) {
            Path src = top.resolve(m).resolve("src/main/java");
            assertTrue(Files.isDirectory(src), "no sources at " + src);
            try (Stream<Path> s = Files.walk(src)) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(out::add);
            }
        }
        return out;
    }

    /** The text before a declaration, without the annotations right in front of it. */
    static String withoutTrailingAnnotations(String before) {
        String t = before.stripTrailing();
        while (true) {
            if (t.endsWith(")")) {
                int depth = 0, k = t.length() - 1;
                for (; k >= 0; k--) {
                    if (t.charAt(k) == ')') depth++;
                    else if (t.charAt(k) == '(' && --depth == 0) break;
                }
                if (k < 0) return t;
                Matcher m = TRAILING_ANNOTATION.matcher(t.substring(0, k));
                if (!m.find()) return t;
                t = t.substring(0, m.start()).stripTrailing();
            } else {
                Matcher m = TRAILING_ANNOTATION.matcher(t);
                if (!m.find()) return t;
                t = t.substring(0, m.start()).stripTrailing();
            }
        }
    }

    @Test
    void everyPublicTypeHasADocComment() throws IOException {
        List<String> missing = new ArrayList<>();
        int seen = 0;
        for (Path p : sources()) {
            String name = p.getFileName().toString();
            if (name.equals("module-info.java") || name.equals("package-info.java")) continue;
            String s = Files.readString(p);
            Matcher m = DECLARATION.matcher(s);
            while (m.find()) {
                seen++;
                if (!withoutTrailingAnnotations(s.substring(0, m.start())).endsWith("*/")) missing.add(p.getFileName() + ": " + m.group(1));
            }
        }
        assertTrue(seen > 200, "found only " + seen + " public types");
        assertEquals(List.of(), missing, "public types without a doc comment");
    }

    @Test
    void everyPackageSaysWhatItIsForWhatItDependsOnAndTheKernelItRequires() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path dir : sources().stream().map(Path::getParent).distinct().toList()) {
            if (dir.endsWith("java")) continue; // module-info's directory
            Path info = dir.resolve("package-info.java");
            if (!Files.exists(info)) {
                bad.add(dir + ": no package-info.java");
                continue;
            }
            String s = Files.readString(info);
            if (!s.contains("Depends on")) bad.add(info + ": no 'Depends on'");
            if (!Pattern.compile("Requires (Linux \\d+\\.\\d+|nothing|QEMU|what|\\{@code /proc/kcore\\})").matcher(s).find())
                bad.add(info + ": no 'Requires Linux X.Y' (or what else it requires)");
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void theAnnotationStripperSeesThroughMultiLineAnnotations() {
        assertEquals("/** Doc. */", withoutTrailingAnnotations("/** Doc. */\n@Command(name = \"x\",\n    description = {\"a (b)\"})\n@Deprecated\n"));
        assertEquals("x;", withoutTrailingAnnotations("x;\n@Command(name = \"y\")"));
    }
}
