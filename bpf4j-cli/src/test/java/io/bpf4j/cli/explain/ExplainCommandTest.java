package io.bpf4j.cli.explain;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bpf4j explain} on this host's kernel (raw tracepoints, no kprobes), run as a user runs
 * it: a separate JVM, COMMAND's stdout and stderr its own. The failing programs are C with
 * libbpf ({@code fails.c}, compiled here with gcc) and Java with bpf4j ({@link FailingJava});
 * each case prints "CASE name" to stderr before its failing call, and explain's explanation of
 * that call follows it in the same stream, because the failing thread stays stopped until
 * explain has printed it.
 */
class ExplainCommandTest {
    static Path fails;

    @BeforeAll
    static void compile() throws Exception {
        Path dir = Path.of("target", "explain-test").toAbsolutePath();
        Files.createDirectories(dir);
        Path src = dir.resolve("fails.c");
        try (InputStream in = ExplainCommandTest.class.getResourceAsStream("fails.c")) {
            Files.write(src, in.readAllBytes());
        }
        fails = dir.resolve("fails");
        Run cc = Run.of(List.of("gcc", "-O1", "-Wall", "-o", fails.toString(), src.toString(), "-lbpf", "-lpthread"), 120);
        assertEquals(0, cc.exit, "gcc with libbpf-dev: " + cc.err);
    }

    record Run(int exit, String out, String err) {
        static Run of(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + cmd);
            }
            return new Run(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
        }

        static byte[] read(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }
    }

    static String where(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The bpf4j command in a JVM of its own. */
    static List<String> bpf4j(String... args) {
        String cp = String.join(File.pathSeparator, where(io.bpf4j.cli.Main.class), where(io.bpf4j.BpfMap.class),
                where(io.bpf4j.tools.ToolObjects.class), where(picocli.CommandLine.class));
        List<String> cmd = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", cp,
                "io.bpf4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Run explain(List<String> options, List<String> command) throws Exception {
        List<String> cmd = bpf4j("explain");
        cmd.addAll(options);
        cmd.add("--");
        cmd.addAll(command);
        return Run.of(cmd, 600);
    }

    static final Pattern CASE = Pattern.compile("^CASE (\\S+)$");

    /** Explain's JSON lines after each CASE line, by case. */
    static Map<String, List<String>> byCase(String err) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        List<String> cur = null;
        for (String l : err.split("\n")) {
            Matcher c = CASE.matcher(l);
            if (c.matches()) m.put(c.group(1), cur = new ArrayList<>());
            else if (cur != null && l.startsWith("{")) cur.add(l);
        }
        return m;
    }

    /** One line of explain's --json output, parsed. */
    static JsonObject json(String line) {
        return JsonParser.parseString(line).getAsJsonObject();
    }

    /** The rule of the first cause of a --json line, or "(no rule)". */
    static String firstRule(String line) {
        JsonObject o = json(line);
        if (!o.has("causes") || o.getAsJsonArray("causes").isEmpty()) return "(no rule)";
        return o.getAsJsonArray("causes").get(0).getAsJsonObject().get("rule").getAsString();
    }

    static final Pattern SUMMARY = Pattern.compile("(?m)^explain: (\\d+) bpf\\(\\) calls?, (\\d+) failed( \\((\\d+) explained\\))?(, \\d+ lookups? of a missing key not shown)?; COMMAND exited with (\\d+)$");

    /** The ids of explain's BPF programs loaded now (by any explain, ours or another's). */
    static java.util.Set<Long> ourPrograms() throws Exception {
        Run r = Run.of(List.of("bpftool", "-j", "prog", "show"), 60);
        assertEquals(0, r.exit, r.err);
        java.util.Set<Long> ids = new java.util.TreeSet<>();
        for (JsonElement p : JsonParser.parseString(r.out).getAsJsonArray()) {
            JsonObject o = p.getAsJsonObject();
            if (o.has("name") && o.get("name").getAsString().startsWith("explain_")) ids.add(o.get("id").getAsLong());
        }
        return ids;
    }

    /**
     * Fails if an explain program loaded since {@code before} is still there: explain closed its
     * fds and links when it ended, so the kernel must have freed every program it loaded. A
     * program of another explain that was running before is not counted. The kernel frees a
     * raw tracepoint link's program after an RCU grace period, so a program may show for a few
     * milliseconds after explain's exit: a leak is one still there 5 seconds later.
     */
    static void assertNoProgramsLeft(java.util.Set<Long> before) throws Exception {
        java.util.Set<Long> left = ourPrograms();
        left.removeAll(before);
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = ourPrograms();
            left.removeAll(before);
        }
        assertEquals(java.util.Set.of(), left, "explain's programs are gone after it");
    }

    @Test
    void everyCaseOfTheLibbpfProgramIsExplainedByItsRule() throws Exception {
        java.util.Set<Long> before = ourPrograms();
        Run r = explain(List.of("--json"), List.of(fails.toString(), "all"));
        assertEquals(0, r.exit, r.err);
        assertEquals("fails: done\n", r.out, "COMMAND's stdout passes through unchanged, and explain adds nothing to it");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("array-index", "R-M04");
        expected.put("array-noexist", "R-M05");
        expected.put("array-delete", "R-M07");
        expected.put("hash-full", "R-M10");
        expected.put("frozen", "R-M01");
        expected.put("lru-noprealloc", "R-C04");
        expected.put("map-name", "R-C10");
        expected.put("prog-array-owner", "R-M14");
        expected.put("prog-array-flags", "R-M12");
        expected.put("verifier", "R-L01");
        expected.put("helper", "R-L04");
        expected.put("gpl", "R-L05");
        expected.put("log-small", "R-L06");
        expected.put("tailcall-owner", "R-L17");
        expected.put("pin", "R-O01");
        expected.put("get-missing", "R-O05");
        expected.put("btf-magic", "R-B01");
        expected.put("test-run", "R-T01");
        expected.put("raw-tp", "R-K11");
        expected.put("xdp-busy", "R-K08");
        Map<String, List<String>> got = byCase(r.err);
        assertEquals(expected.keySet(), got.keySet(), r.err);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            List<String> lines = got.get(e.getKey());
            assertEquals(1, lines.size(), e.getKey() + ": one explanation per failing call:\n" + r.err);
            assertEquals(e.getValue(), firstRule(lines.getFirst()), e.getKey() + ": " + lines.getFirst());
        }
        JsonObject verifier = json(got.get("verifier").getFirst()).getAsJsonObject("verifier");
        assertEquals("R0 !read_ok", verifier.get("reason").getAsString(), verifier.toString());
        assertTrue(verifier.get("rerun").getAsBoolean(), verifier.toString());
        assertEquals("BPF_PROG_TYPE_SOCKET_FILTER", json(got.get("prog-array-owner").getFirst()).getAsJsonObject("objects")
                .getAsJsonObject("map_fd").get("owner_prog_type").getAsString());
        Matcher s = SUMMARY.matcher(r.err);
        assertTrue(s.find(), r.err);
        assertEquals("20", s.group(2), s.group());
        assertEquals("20", s.group(4), s.group());
        assertNoProgramsLeft(before);
    }

    @Test
    void theVerifiersReasonAndItsInstructionInText() throws Exception {
        Run r = explain(List.of(), List.of(fails.toString(), "verifier", "tailcall-owner"));
        assertEquals(0, r.exit, r.err);
        assertTrue(r.err.contains("  verifier (re-run with log_level 1; the loader asked for no log): R0 !read_ok\n    at insn 0: (95) exit\n"), r.err);
        assertTrue(r.err.contains("  cause (R-L17): the verifier accepted the program, then the tail-call check refused it"), r.err);
    }

    @Test
    void javaProgramsWithOurLibraryAreExplainedToo() throws Exception {
        String cp = String.join(File.pathSeparator, where(FailingJava.class), where(io.bpf4j.BpfMap.class));
        Run r = explain(List.of("--json"), List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", cp, FailingJava.class.getName()));
        assertEquals(0, r.exit, r.err);
        Map<String, List<String>> got = byCase(r.err);
        Map<String, String> expected = Map.of("java-prog-array-owner", "R-M14", "java-array-index", "R-M04", "java-frozen", "R-M01",
                "java-hash-full", "R-M10");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            List<String> lines = got.get(e.getKey());
            assertEquals(1, lines == null ? 0 : lines.size(), e.getKey() + ":\n" + r.err);
            assertEquals(e.getValue(), firstRule(lines.getFirst()), lines.getFirst());
            JsonObject o = json(lines.getFirst());
            assertFalse(o.get("tid").getAsLong() == o.get("pid").getAsLong(), "a JVM's main runs on a thread of its own");
        }
        // The library in COMMAND gave the same cause in its own exception.
        assertTrue(r.out.contains("java-prog-array-owner: update: invalid argument (map "), r.out);
        assertTrue(r.out.contains("is owned by BPF_PROG_TYPE_KPROBE programs"), r.out);
        assertTrue(r.out.endsWith("java: done\n"), r.out);
    }

    static long pidOf(String line) {
        return json(line).get("pid").getAsLong();
    }

    @Test
    void threadsAreFollowedAndNamed() throws Exception {
        Run r = explain(List.of("--json"), List.of(fails.toString(), "threads"));
        assertEquals(0, r.exit, r.err);
        List<String> all = r.err.lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(3, all.size(), r.err);
        int workers = 0;
        for (String j : all) {
            JsonObject o = json(j);
            if (o.get("pid").getAsLong() != o.get("tid").getAsLong()) {
                workers++;
                assertEquals("R-M04", firstRule(j));
            } else {
                assertEquals("R-M01", firstRule(j));
            }
        }
        assertEquals(2, workers, r.err);
    }

    @Test
    void forkedChildrenAreFollowedAndTheStatusPassesThrough() throws Exception {
        Run r = explain(List.of("--json"), List.of(fails.toString(), "fork"));
        assertEquals(7, r.exit, "the child's exit 7, passed on by the parent: " + r.err);
        Map<String, List<String>> got = byCase(r.err);
        String child = got.get("hash-full").getFirst(), parent = got.get("array-delete").getFirst();
        assertEquals("R-M10", firstRule(child));
        assertEquals("R-M07", firstRule(parent));
        assertFalse(pidOf(child) == pidOf(parent), "child and parent are different processes: " + r.err);
        assertTrue(SUMMARY.matcher(r.err).find(), r.err);
        assertTrue(r.err.contains("COMMAND exited with 7"), r.err);
    }

    @Test
    void aPassingCommandGetsOnlyTheSummary() throws Exception {
        Run r = explain(List.of(), List.of(fails.toString(), "ok", "1000"));
        assertEquals(0, r.exit, r.err);
        assertEquals("fails: done\n", r.out);
        String[] lines = r.err.split("\n");
        assertEquals(1, lines.length, "one line of explain's own:\n" + r.err);
        Matcher s = SUMMARY.matcher(lines[0]);
        assertTrue(s.matches(), lines[0]);
        assertTrue(Integer.parseInt(s.group(1)) >= 1001, lines[0]);
        assertEquals("0", s.group(2));
    }

    @Test
    void everyCallWithAll() throws Exception {
        Run r = explain(List.of("--all", "--json"), List.of(fails.toString(), "ok", "3"));
        assertEquals(0, r.exit, r.err);
        long lookups = r.err.lines().filter(l -> l.startsWith("{")).map(ExplainCommandTest::json)
                .filter(o -> o.get("command").getAsString().equals("BPF_MAP_LOOKUP_ELEM") && o.get("result").getAsLong() == 0).count();
        assertEquals(3, lookups, r.err);
    }

    @Test
    void statusOutputAndSignalsAreCommandsOwn() throws Exception {
        Run r = explain(List.of(), List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
        assertEquals(3, r.exit);
        assertEquals("out\n", r.out);
        assertTrue(r.err.startsWith("err\n"), r.err);
        Run k = explain(List.of(), List.of("sh", "-c", "kill -TERM $$"));
        assertEquals(128 + 15, k.exit, k.err);
        Run missing = explain(List.of(), List.of("no-such-command-bpf4j"));
        assertEquals(127, missing.exit, missing.err);
    }

    @Test
    void aCommandThatIsNotRoot() throws Exception {
        Path copy = Path.of("/tmp/bpf4j-explain-fails-" + ProcessHandle.current().pid());
        Files.copy(fails, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        copy.toFile().setExecutable(true, false);
        try {
            Run r = explain(List.of("--json"), List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy.toString(),
                    "array-index"));
            assertEquals(0, r.exit, r.err);
            // The map cannot be created (EPERM); the update that follows has no map (fd -1, EBADF).
            String create = r.err.lines().filter(l -> l.startsWith("{") && json(l).get("command").getAsString().equals("BPF_MAP_CREATE"))
                    .findFirst().orElse("{}");
            assertEquals("R-G07", firstRule(create), r.err);
            assertEquals("EPERM", json(create).get("errno").getAsString(), create);
            assertEquals("R-G05", firstRule(byCase(r.err).get("array-index").getFirst()), r.err);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void theSeccompBackendExplainsTheSameCauses() throws Exception {
        Run r = explain(List.of("--json", "--backend", "seccomp"), List.of(fails.toString(), "array-index", "frozen", "verifier"));
        assertEquals(0, r.exit, r.err);
        Map<String, List<String>> got = byCase(r.err);
        assertEquals("R-M04", firstRule(got.get("array-index").getFirst()));
        assertEquals("R-M01", firstRule(got.get("frozen").getFirst()));
        assertEquals("R-L01", firstRule(got.get("verifier").getFirst()));
        assertTrue(r.err.contains("[ptrace+seccomp]"), r.err);
    }
}
