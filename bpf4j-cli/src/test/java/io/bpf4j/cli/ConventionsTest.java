package io.bpf4j.cli;

import io.bpf4j.cli.support.Conventions;
import io.bpf4j.cli.support.Version;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The conventions every command keeps, checked by running each command of the tree (every entry
 * of RootCommand.SUBCOMMANDS and every picocli subcommand below it, hidden ones included):
 * {@code --help} prints usage that starts {@code Usage: bpf4j ...} and exits 0, {@code -V}
 * prints the version and exits 0, an unknown option is one line on stderr naming the command
 * and exit 2, and nothing prints a stack trace.
 */
class ConventionsTest {
    /** Every command below the root, as the words that name it on the command line. */
    static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        CommandLine root = RootCommand.commandLine(null);
        assertEquals(List.copyOf(RootCommand.SUBCOMMANDS.keySet()), List.copyOf(root.getSubcommands().keySet()));
        for (CommandLine cl : Conventions.tree(root)) {
            if (cl == root) continue;
            List<String> words = new ArrayList<>();
            for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) words.addFirst(c.getCommandName());
            out.add(words);
        }
        return out;
    }

    static String[] args(List<String> words, String... more) {
        List<String> a = new ArrayList<>(words);
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    static void noStackTrace(CliRun r) {
        for (String s : new String[] {r.out(), r.err()}) {
            assertFalse(s.contains("\tat ") || s.contains("Exception in thread") || s.contains("Caused by:"), s);
        }
    }

    @Test
    void theTreeHasEveryCommandAndItsSubcommands() {
        List<String> names = commands().stream().map(w -> String.join(" ", w)).toList();
        for (String want : List.of("btf dump", "check tailcall", "inspect prog dump", "inspect graph", "inspect btf",
                "scenario tailcall-in-freplace", "vm run", "vm kernels", "completion", "help", "__train"))
            assertTrue(names.contains(want), want + " in " + names);
    }

    @TestFactory
    Stream<DynamicTest> helpPrintsTheUsageOfThatCommandAndExitsZero() {
        return commands().stream().map(words -> DynamicTest.dynamicTest(String.join(" ", words), () -> {
            CliRun r = CliRun.of(args(words, "--help"));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("Usage: bpf4j " + String.join(" ", words)), r.out());
            assertEquals("", r.err());
            noStackTrace(r);
            // `bpf4j help WORDS` shows the same usage at any depth (help vm run: vm run's).
            if (!words.getFirst().equals("help")) {
                CliRun h = CliRun.of(args(List.of("help"), words.toArray(new String[0])));
                assertEquals(0, h.exit(), h.err());
                assertEquals(r.out(), h.out());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> versionPrintsTheVersionAndExitsZero() {
        String version = String.join("\n", Version.lines()) + "\n";
        return commands().stream().map(words -> DynamicTest.dynamicTest(String.join(" ", words), () -> {
            for (String flag : List.of("-V", "--version")) {
                CliRun r = CliRun.of(args(words, flag));
                assertEquals(0, r.exit(), r.err());
                assertEquals(version, r.out());
                assertEquals("", r.err());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> anUnknownOptionIsOneLineNamingTheCommandAndExitTwo() {
        return commands().stream().map(words -> DynamicTest.dynamicTest(String.join(" ", words), () -> {
            CliRun r = CliRun.of(args(words, "--no-such-option"));
            assertEquals(2, r.exit(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("bpf4j " + String.join(" ", words) + ": unknown option '--no-such-option'"), r.err());
            noStackTrace(r);
        }));
    }

    @Test
    void theRootSaysUnknownCommandInOneLineAndSuggests() {
        CliRun r = CliRun.of("bogus");
        assertEquals(2, r.exit());
        assertEquals("bpf4j: unknown command 'bogus' (bpf4j --help lists the commands)\n", r.err());
        CliRun typo = CliRun.of("inspetc");
        assertEquals(2, typo.exit());
        assertEquals("bpf4j: unknown command 'inspetc'; did you mean inspect or explain?\n", typo.err());
        CliRun help = CliRun.of("help", "vm", "nosuch");
        assertEquals(2, help.exit());
        assertEquals("bpf4j help: no command 'bpf4j vm nosuch' (bpf4j vm --help lists them)\n", help.err());
    }

    @Test
    void theCommandListShowsEachCommandsFirstSentence() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exit(), r.err());
        CommandLine root = RootCommand.commandLine(null);
        for (CommandLine cl : Conventions.tree(root)) {
            if (cl == root || cl.getCommandSpec().usageMessage().hidden()) continue;
            String summary = String.join(" ", cl.getCommandSpec().usageMessage().header()[0].split("\n"));
            assertTrue(summary.endsWith("."), cl.getCommandSpec().qualifiedName() + ": '" + summary + "' is not a sentence");
            assertTrue(Character.isUpperCase(summary.charAt(0)), summary);
            assertTrue(summary.length() <= 160, cl.getCommandSpec().qualifiedName() + ": a summary of three lines at most: " + summary);
        }
        // The list as printed: every line within 80 columns, each summary whole.
        for (String line : r.out().lines().toList()) assertTrue(line.length() <= 80, line);
        String list = r.out().substring(r.out().indexOf("Commands:"));
        assertTrue(list.replaceAll("\\s+", " ").contains("trace Trace kernel functions by per-thread sessions, as retsnoop does."), list);
    }

    @Test
    void descriptionsArePrintedAsParagraphsWithinTheWidth() {
        CliRun r = CliRun.of("btf", "dump", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String line : r.out().lines().toList()) assertTrue(line.length() <= 80, line);
        // picocli alone breaks "(vmlinux.h)" after its period; paragraphs wrap at spaces only.
        assertTrue(r.out().contains("(vmlinux.h)"), r.out());
        CliRun trace = CliRun.of("trace", "--help");
        assertTrue(trace.out().contains("\n  bpf4j vm run --kernel 6.1 -- bpf4j trace ...\n"), "an indented line is kept as written: " + trace.out());
    }
}
