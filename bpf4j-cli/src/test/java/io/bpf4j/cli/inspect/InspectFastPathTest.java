package io.bpf4j.cli.inspect;

import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgType;
import io.bpf4j.cli.CliRun;
import io.bpf4j.cli.JsonRead;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The picocli-free `inspect [prog|map|link]` prints exactly what the picocli command prints. */
class InspectFastPathTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static CliRun fast(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = FastInspect.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Same exit code, stdout and stderr from both paths. Whole-kernel listings can differ when
     * other processes load or unload objects between the two runs, so those get a few tries.
     */
    static void assertSame(String... args) {
        CliRun f = null, p = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            f = fast(args);
            p = CliRun.picocli(args);
            if (f.equals(p)) return;
        }
        assertEquals(p.exit(), f.exit(), String.join(" ", args));
        assertEquals(p.err(), f.err(), String.join(" ", args));
        assertEquals(p.out(), f.out(), String.join(" ", args));
    }

    @Test
    void sameOutputAsPicocliForObjectsByIdAndForAllObjects() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 2).withName("t_fast_pa"));
             BpfMap hash = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("t_fast_hash"));
             BpfProgram p = TestPrograms.loadNamed(ProgType.XDP, "t_fast", "t_fast_main_function",
                     TestPrograms.tailCalling(progs, 0, TestPrograms.XDP_PASS))) {
            String pid = String.valueOf(p.info().id());
            CliRun one = fast("inspect", "prog", pid);
            assertEquals(0, one.exit(), one.err());
            assertTrue(one.out().startsWith(pid + ": BPF_PROG_TYPE_XDP  name t_fast  tag "), one.out());
            assertTrue(one.out().contains("\tfull_name t_fast_main_function\n"), one.out());
            for (String[] args : new String[][] {
                    {"inspect", "prog", pid}, {"inspect", "prog", pid, "--json"}, {"inspect", "prog", "--json", pid},
                    {"inspect", "map", String.valueOf(progs.id())}, {"inspect", "map", String.valueOf(hash.id()), "--json"},
                    {"inspect", "prog"}, {"inspect", "map"}, {"inspect", "link"},
                    {"inspect", "prog", "--json"}, {"inspect", "map", "--json"}, {"inspect", "link", "--json"},
                    {"inspect"}, {"inspect", "--json"}, {"inspect", "--json", "prog", pid}, {"inspect", "--json", "prog", pid, "--json"},
                    {"inspect", "--json", "map"}, {"inspect", "--json", "link"}}) {
                assertSame(args);
            }
        }
    }

    /** `inspect --json prog|map|link` takes the parent's --json: JSON, not text, and `[]` for none. */
    @Test
    void jsonBeforeTheSubcommandIsJsonOnBothPaths() {
        try (BpfMap hash = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("t_fast_pj"))) {
            String id = String.valueOf(hash.id());
            for (CliRun r : new CliRun[] {CliRun.picocli("inspect", "--json", "map", id), fast("inspect", "--json", "map", id)}) {
                assertEquals(0, r.exit(), r.err());
                List<?> l = assertInstanceOf(List.class, JsonRead.parse(r.out()), r.out());
                assertEquals(1, l.size(), r.out());
                Map<?, ?> m = assertInstanceOf(Map.class, l.getFirst());
                assertEquals(List.of("id", "type", "name"), new ArrayList<>(m.keySet()).subList(0, 3), r.out());
                assertEquals(new BigDecimal(id), m.get("id"));
                assertEquals("BPF_MAP_TYPE_HASH", m.get("type"));
                assertEquals("t_fast_pj", m.get("name"));
            }
        }
        // Every kind, all objects, on both paths: a JSON array of objects (whatever the kernel
        // holds now; an empty string or text would not parse).
        for (String what : new String[] {"prog", "map", "link"}) {
            for (CliRun r : new CliRun[] {CliRun.picocli("inspect", "--json", what), fast("inspect", "--json", what)}) {
                assertEquals(0, r.exit(), r.err());
                List<?> l = assertInstanceOf(List.class, JsonRead.parse(r.out()), what + ": " + r.out());
                for (Object o : l) assertInstanceOf(BigDecimal.class, assertInstanceOf(Map.class, o).get("id"), what);
            }
        }
        // The kernel's links, listed before and after: when it had none, the answer is exactly [].
        for (int attempt = 0; attempt < 5; attempt++) {
            boolean noneBefore = ObjectIds.all(ObjectIds.Kind.LINK).isEmpty();
            CliRun f = fast("inspect", "--json", "link"), p = CliRun.picocli("inspect", "--json", "link");
            if (!noneBefore || !ObjectIds.all(ObjectIds.Kind.LINK).isEmpty()) continue;
            for (CliRun r : new CliRun[] {p, f}) {
                assertEquals(new CliRun(0, "[]\n", ""), r);
                assertEquals(List.of(), JsonRead.parse(r.out()));
            }
            return;
        }
        fail("the kernel always had links: the empty listing was not checked");
    }

    /**
     * With no object of a kind, `inspect --json prog|map|link` is the empty array and the summary
     * has three empty arrays, on the fast path (given no ids) and on picocli's (given no objects);
     * the text forms print nothing and the count line.
     */
    @Test
    void noObjectsIsAnEmptyArray() {
        Inspector in = new Inspector();
        java.util.function.Function<String, java.util.function.IntSupplier> none = what -> Inspector.ids(List.<Integer>of());
        for (String what : new String[] {"prog", "map", "link"}) {
            StringBuilder json = new StringBuilder(), text = new StringBuilder();
            FastInspect.render(new FastInspect.Request(what, null, true), in, json, none);
            FastInspect.render(new FastInspect.Request(what, null, false), in, text, none);
            assertEquals(List.of(), JsonRead.parse(json.toString()), what + ": " + json);
            assertEquals("", text.toString(), what);
            InspectCommand.Renderer r = what.equals("prog") ? Text::prog : what.equals("map") ? Text::map : Text::link;
            CliRun p = captured(() -> InspectCommand.print(List.of(), true, r));
            assertEquals(List.of(), JsonRead.parse(p.out()), p.out());
        }
        StringBuilder fast = new StringBuilder(), picocli = new StringBuilder();
        FastInspect.render(new FastInspect.Request(null, null, true), in, fast, none);
        InspectCommand.summary(picocli, List.of(), List.of(), List.of(), true);
        for (StringBuilder sb : new StringBuilder[] {fast, picocli}) {
            Map<?, ?> all = assertInstanceOf(Map.class, JsonRead.parse(sb.toString()), sb.toString());
            assertEquals(List.of("programs", "maps", "links"), new ArrayList<>(all.keySet()), sb.toString());
            for (Object v : all.values()) assertEquals(List.of(), v, sb.toString());
        }
        StringBuilder text = new StringBuilder();
        FastInspect.render(new FastInspect.Request(null, null, false), in, text, none);
        assertEquals("0 programs, 0 maps, 0 links\n" + Text.NOTHING_LOADED, text.toString());
    }

    /** What {@code command} prints on System.out. */
    static CliRun captured(Runnable command) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            command.run();
        } finally {
            System.setOut(old);
        }
        return new CliRun(0, out.toString(StandardCharsets.UTF_8), "");
    }

    /**
     * The summary's JSON, parsed, has its keys in one order, programs, maps, links, on both paths
     * (Map.of's order is fixed per JVM by a random salt, so the order of a Map.of top level
     * changes between runs), and the arrays hold the kernel's objects.
     */
    @Test
    void summaryJsonKeysInAStableOrder() {
        for (CliRun r : new CliRun[] {CliRun.picocli("inspect", "--json"), fast("inspect", "--json")}) {
            assertEquals(0, r.exit(), r.err());
            Map<?, ?> all = assertInstanceOf(Map.class, JsonRead.parse(r.out()), r.out());
            assertEquals(List.of("programs", "maps", "links"), new ArrayList<>(all.keySet()), r.out());
            for (Object v : all.values()) assertInstanceOf(List.class, v, r.out());
        }
        // A map of ours is among the maps, on both paths.
        try (BpfMap hash = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("t_fast_sum"))) {
            for (CliRun r : new CliRun[] {CliRun.picocli("inspect", "--json"), fast("inspect", "--json")}) {
                Map<?, ?> all = assertInstanceOf(Map.class, JsonRead.parse(r.out()), r.out());
                assertTrue(((List<?>) all.get("maps")).stream().anyMatch(m -> "t_fast_sum".equals(((Map<?, ?>) m).get("name"))
                        && new BigDecimal(hash.id()).equals(((Map<?, ?>) m).get("id"))), r.out());
            }
        }
    }

    @Test
    void errorsAreTheSameOneLine() {
        assertSame("inspect", "prog", "2147483647");
        assertSame("inspect", "map", "2147483647", "--json");
        assertSame("inspect", "link", "2147483647");
        assertEquals("bpf4j inspect map: no map with id 2147483647: no such file or directory",
                fast("inspect", "map", "2147483647").err().strip());
    }

    @Test
    void takesOnlyTheFormsItPrintsLikePicocli() {
        assertEquals(new FastInspect.Request("prog", null, false), FastInspect.parse(new String[] {"inspect", "prog"}));
        assertEquals(new FastInspect.Request("map", 12, true), FastInspect.parse(new String[] {"inspect", "map", "--json", "12"}));
        assertEquals(new FastInspect.Request("link", 2147483647, false),
                FastInspect.parse(new String[] {"inspect", "link", "2147483647"}));
        assertEquals(new FastInspect.Request(null, null, false), FastInspect.parse(new String[] {"inspect"}));
        assertEquals(new FastInspect.Request(null, null, true), FastInspect.parse(new String[] {"inspect", "--json"}));
        assertEquals(new FastInspect.Request("prog", null, true), FastInspect.parse(new String[] {"inspect", "--json", "prog"}));
        assertEquals(new FastInspect.Request("map", 7, true),
                FastInspect.parse(new String[] {"inspect", "--json", "map", "7", "--json"}));
        for (String[] other : new String[][] {{}, {"inspect", "btf"}, {"inspect", "--json", "--json"}, {"inspect", "--details"},
                {"inspect", "--json", "btf"}, {"inspect", "7"}, {"inspect", "--json", "7"}, {"inspect", "--source", "uapi"},
                {"inspect", "-h"}, {"inspect", "--json", "prog", "--json", "--json"}, {"inspect", "--json", "prog", "1", "2"}, {"trace", "prog"}, {"inspect", "prog", "--details"},
                {"inspect", "prog", "1", "--source", "uapi"}, {"inspect", "prog", "dump", "xlated", "1"}, {"inspect", "prog", "-h"},
                {"inspect", "prog", "--json", "--json"}, {"inspect", "prog", "1", "2"}, {"inspect", "prog", "010"},
                {"inspect", "prog", "0"}, {"inspect", "prog", "+1"}, {"inspect", "prog", "2147483648"}, {"inspect", "prog", "99999999999"},
                {"inspect", "prog", "--json=true"}, {"inspect", "Prog"}}) {
            assertNull(FastInspect.parse(other), String.join(" ", other));
            assertEquals(-1, FastInspect.run(other, new PrintStream(PrintStream.nullOutputStream()),
                    new PrintStream(PrintStream.nullOutputStream())), "left to picocli: " + String.join(" ", other));
        }
    }
}
