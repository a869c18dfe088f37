package io.bpf4j.cli;

import io.bpf4j.cli.support.Conventions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bpf4j completion bash|zsh}: the script, sourced in a real bash (and zsh), completes every
 * visible command at every level, their options, and option values picocli knows.
 */
class CompletionTest {
    /** What the script's completion function offers for {@code words} (the last one being completed), in {@code shell}. */
    static List<String> complete(String shell, Path script, String... words) throws Exception {
        StringBuilder arr = new StringBuilder();
        for (String w : words) arr.append(" '").append(w).append('\'');
        String print = shell.equals("zsh") ? "print -rl -- $COMPREPLY" : "printf '%s\\n' \"${COMPREPLY[@]}\"";
        String body = "source '" + script + "' 2>/dev/null; COMP_WORDS=(" + arr + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + String.join(" ", words) + "'; COMP_POINT=${#COMP_LINE}; _complete_bpf4j 2>/dev/null; " + print;
        Process p = new ProcessBuilder(shell, "-c", body).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), shell + " did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }

    static Path script(Path dir, String shell) throws Exception {
        CliRun r = CliRun.of("completion", shell);
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        return Files.writeString(dir.resolve("bpf4j." + shell), r.out());
    }

    @Test
    void bashCompletesEveryCommandAtEveryLevel(@TempDir Path dir) throws Exception {
        Path script = script(dir, "bash");
        CommandLine root = RootCommand.commandLine(null);
        int checked = 0;
        for (CommandLine cl : Conventions.tree(root)) {
            List<String> visible = new ArrayList<>();
            for (var e : cl.getSubcommands().entrySet())
                if (!e.getValue().getCommandSpec().usageMessage().hidden()) visible.add(e.getKey());
            if (visible.isEmpty() || cl.getCommandSpec().usageMessage().hidden()) continue;
            List<String> words = new ArrayList<>();
            for (CommandLine c = cl; c != null; c = c.getParent()) words.addFirst(c.getCommandName());
            words.add("");
            List<String> offered = complete("bash", script, words.toArray(new String[0]));
            assertTrue(offered.containsAll(visible), String.join(" ", words) + "<TAB> offers " + offered + ", not all of " + visible);
            checked += visible.size();
            // and the function that completes each of them is defined
            for (String sub : visible) {
                String fn = "_picocli_" + String.join("_", words.subList(0, words.size() - 1)) + "_" + sub.replace("-", "").replace("_", "");
                assertTrue(Files.readString(script).contains("function " + fn + "() {"), fn);
            }
        }
        assertTrue(checked >= 20, "only " + checked + " commands completed");
        assertFalse(complete("bash", script, "bpf4j", "").contains("__train"), "hidden commands are not offered");
        assertEquals(List.of("--duration"), complete("bash", script, "bpf4j", "trace", "--du"));
        assertTrue(complete("bash", script, "bpf4j", "check", "tailcall", "--only", "").contains("tailcall-hierarchy"));
    }

    @Test
    void zshLoadsTheScriptAndCompletesThroughIt(@TempDir Path dir) throws Exception {
        Path script = script(dir, "zsh");
        Process p = new ProcessBuilder("zsh", "-c", "source '" + script + "' >/dev/null 2>&1; print -r -- ${_comps[bpf4j]}").start();
        String registered = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(registered.contains("_complete_bpf4j"), "zsh's completer for bpf4j: '" + registered + "'");
        List<String> top = complete("zsh", script, "bpf4j", "");
        assertTrue(top.containsAll(List.of("btf", "check", "inspect", "trace", "vm")), top.toString());
    }
}
