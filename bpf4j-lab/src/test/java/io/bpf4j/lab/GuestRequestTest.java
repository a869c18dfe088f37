package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestRequestTest {

    private static String runScript(GuestRequest req, Path dir) throws Exception {
        Path script = dir.resolve("run.sh");
        Files.writeString(script, req.runScript());
        Process p = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void argumentsReachTheCommandUnchangedWhateverTheyContain(@TempDir Path dir) throws Exception {
        List<String> cmd = List.of("sh", "-c", "printf '[%s]' \"$@\"; printf '%s|%s\\n' \"$FOO\" \"$(pwd)\"", "argv0",
                "it's", "a  b", "$HOME", "`id`", "");
        GuestRequest req = new GuestRequest(cmd, dir, Map.of("FOO", "x'y \"z\""), List.of(), "1G", 1, Duration.ofSeconds(5));
        assertEquals("[it's][a  b][$HOME][`id`][]x'y \"z\"|" + dir + "\n", runScript(req, dir));
    }

    @Test
    void aMissingWorkingDirectoryExits125WithAMessage(@TempDir Path dir) throws Exception {
        GuestRequest req = new GuestRequest(List.of("true"), dir.resolve("gone"), Map.of(), List.of(), "1G", 1, Duration.ofSeconds(5));
        Files.writeString(dir.resolve("run.sh"), req.runScript());
        Process p = new ProcessBuilder("/bin/sh", dir.resolve("run.sh").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(125, p.waitFor());
        assertTrue(out.contains("no directory " + dir.resolve("gone")), out);
    }

    @Test
    void guestEnvPutsJavaHomeFirstOnPathAndHonoursEnvOptions() {
        Map<String, String> host = Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "/opt/jdk", "SECRET", "s", "TERM", "xterm", "PASSME", "p");
        Map<String, String> env = Lab.guestEnv(host, List.of("BPF4J_LAB_KERNEL=6.1", "PASSME", "ABSENT"));
        assertEquals("/opt/jdk/bin:/usr/bin:/bin", env.get("PATH"));
        assertEquals("/opt/jdk", env.get("JAVA_HOME"));
        assertEquals("/root", env.get("HOME"));
        assertEquals("6.1", env.get("BPF4J_LAB_KERNEL"));
        assertEquals("p", env.get("PASSME"));
        assertEquals("xterm", env.get("TERM"));
        assertTrue(!env.containsKey("SECRET") && !env.containsKey("ABSENT"), "only selected variables pass: " + env);
        assertThrows(BpfException.class, () -> Lab.guestEnv(host, List.of("1BAD=x")));
    }

    @Test
    void defaultShareIsTheCurrentDirectorysTarget(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), Lab.defaultShares(dir, List.of()));
        Files.createDirectory(dir.resolve("target"));
        assertEquals(List.of(dir.resolve("target")), Lab.defaultShares(dir, List.of()));
        assertEquals(List.of(dir.resolve("out")), Lab.defaultShares(dir, List.of(dir.resolve("x/../out"))));
    }
}
