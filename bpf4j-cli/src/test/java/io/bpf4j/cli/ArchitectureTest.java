package io.bpf4j.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.Location;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The dependency structure of all four modules, checked on their compiled classes: no cycle
 * between packages, and every dependency points from the command towards the syscalls.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importAll() {
        // The main classes of each module, wherever the build put them (a directory in the
        // reactor, a jar elsewhere); test classes and fixtures are not part of the structure.
        List<Location> roots = new ArrayList<>();
        for (Class<?> c : List.of(io.bpf4j.BpfMap.class, io.bpf4j.tools.ToolObjects.class, io.bpf4j.lab.Lab.class, Main.class)) {
            Path p = codeSource(c);
            try {
                roots.add(Files.isDirectory(p) ? Location.of(p) : Location.of(new JarFile(p.toFile())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        classes = new ClassFileImporter().importLocations(roots);
        assertTrue(classes.size() > 300, "imported only " + classes.size() + " classes from " + roots);
    }

    /** The directory or jar a class was loaded from. */
    static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names of the files in a jar or under a directory, '/'-separated and relative to it. */
    static List<String> entries(Path root) throws IOException {
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
            }
        }
        try (JarFile jar = new JarFile(root.toFile())) {
            return Collections.list(jar.entries()).stream().filter(e -> !e.isDirectory()).map(e -> e.getName()).sorted().toList();
        }
    }

    /**
     * bpf4j-core's jar (its classes directory within the reactor) holds only the library: no class
     * or resource of the tools, the lab, the CLI or the examples, and none of the tools' BPF
     * objects, which the tools' jar must hold (so the check looks for names that exist).
     */
    @Test
    void theLibrarysJarHoldsNoToolLabOrCommandClassAndNoBpfObject() throws IOException {
        Path core = codeSource(io.bpf4j.BpfMap.class), tools = codeSource(io.bpf4j.tools.ToolObjects.class);
        assertTrue(!core.equals(tools), "the library and the tools come from one place: " + core);
        List<String> files = entries(core);
        assertTrue(files.contains("io/bpf4j/BpfMap.class") && files.contains("module-info.class"), core + " holds " + files);
        List<String> foreign = files.stream()
                .filter(f -> f.startsWith("io/bpf4j/tools/") || f.startsWith("io/bpf4j/lab/") || f.startsWith("io/bpf4j/cli/")
                        || f.startsWith("io/bpf4j/examples/") || f.endsWith(".o"))
                .toList();
        assertEquals(List.of(), foreign, "the library (" + core + ") must hold only the library");

        List<String> toolObjects = entries(tools).stream().filter(f -> f.endsWith(".bpf.o"))
                .map(f -> f.substring(f.lastIndexOf('/') + 1)).toList();
        assertTrue(toolObjects.contains("trace.bpf.o"), tools + " holds no trace.bpf.o: " + toolObjects);
        List<String> inCore = files.stream().filter(f -> toolObjects.contains(f.substring(f.lastIndexOf('/') + 1))).toList();
        assertEquals(List.of(), inCore, "the tools' BPF objects in the library (" + core + ")");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.bpf4j.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theSyscallLayerDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("io.bpf4j.internal.sys..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.bpf4j.internal.sys..", "java..")
                .check(classes);
    }

    @Test
    void theLibraryDependsOnNoToolLabOrCommand() {
        noClasses().that().resideInAPackage("io.bpf4j..")
                .and().resideOutsideOfPackages("io.bpf4j.tools..", "io.bpf4j.lab..", "io.bpf4j.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.bpf4j.tools..", "io.bpf4j.lab..", "io.bpf4j.cli..")
                .check(classes);
    }

    @Test
    void toolsAndLabDependOnNoCommand() {
        noClasses().that().resideInAnyPackage("io.bpf4j.tools..", "io.bpf4j.lab..")
                .should().dependOnClassesThat().resideInAPackage("io.bpf4j.cli..")
                .check(classes);
    }

    @Test
    void theLabDependsOnNoTool() {
        noClasses().that().resideInAPackage("io.bpf4j.lab..")
                .should().dependOnClassesThat().resideInAPackage("io.bpf4j.tools..")
                .check(classes);
    }
}
