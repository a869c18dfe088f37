package io.bpf4j.cli;

import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.cli.support.Conventions;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.link.Links;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every command with {@code --json} that can run on this host prints JSON that parses (strict
 * RFC 8259, one value) and keeps its keys in one order: within a run (every object at the same
 * place has its keys in one relative order) and across runs in separate JVMs (Map.of and
 * Map.copyOf iterate in an order drawn anew at each JVM start).
 */
class JsonOutputTest {
    /** The --json commands runnable here: the command line, %P, %M and %H being a program, a map and a hash map with an entry of the test. */
    static final Map<String, String> RUNNABLE = new LinkedHashMap<>();
    /** The --json commands this host cannot run, with where their JSON is checked instead. */
    static final Map<String, String> ELSEWHERE = new LinkedHashMap<>();

    static {
        RUNNABLE.put("inspect", "inspect --json --details");
        RUNNABLE.put("inspect prog", "inspect prog %P --json --details");
        RUNNABLE.put("inspect map", "inspect map %M --json --details");
        RUNNABLE.put("inspect map dump", "inspect map dump %H --json");
        RUNNABLE.put("inspect link", "inspect link --json");
        RUNNABLE.put("inspect btf", "inspect btf --json");
        RUNNABLE.put("check tailcall", "check tailcall --json");
        RUNNABLE.put("top", "top --json --interval 200ms");
        ELSEWHERE.put("trace", "needs kprobes or fentry, which this kernel refuses");
        ELSEWHERE.put("scenario tailcall-in-freplace", "needs kprobes: TailcallInFreplaceKernelTest parses it in the lab");
        ELSEWHERE.put("explain", "runs a COMMAND: ExplainCommandTest parses its --json lines for failing programs");
        ELSEWHERE.put("matrix", "boots kernels under QEMU: MatrixCommandTest parses its JSON");
    }

    @Test
    void everyCommandWithJsonIsRunHereOrSaysWhereItIsChecked() {
        List<String> withJson = new ArrayList<>();
        CommandLine root = RootCommand.commandLine(null);
        for (CommandLine cl : Conventions.tree(root)) {
            if (cl.getCommandSpec().findOption("--json") == null) continue;
            withJson.add(cl.getCommandSpec().qualifiedName().substring("bpf4j ".length()));
        }
        List<String> listed = new ArrayList<>(RUNNABLE.keySet());
        listed.addAll(ELSEWHERE.keySet());
        assertEquals(new TreeSet<>(withJson), new TreeSet<>(listed),
                "a command with --json needs an invocation runnable on the host in RUNNABLE, or where its JSON is checked in ELSEWHERE");
    }

    @Test
    void jsonParsesAndKeepsOneKeyOrderAcrossRunsInTwoJvms() throws Exception {
        try (BpfMap map = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 2).withName("json_t"));
             BpfProgram prog = TestPrograms.load(ProgType.KPROBE, "json_t", TestPrograms.tailCalling(map, 0, 0));
             // a prog array takes the type of the first program that uses it: XDP needs its own
             BpfMap hash = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 4).withName("json_h"));
             BpfMap xdpMap = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 2).withName("json_x"));
             BpfProgram xdp = TestPrograms.load(ProgType.XDP, "json_xdp", TestPrograms.tailCalling(xdpMap, 1, TestPrograms.XDP_PASS));
             // a link, so that inspect link has an object to print
             BpfLink link = Links.xdp(xdp, Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).strip()), 0)) {
            hash.update(new byte[] {7, 0, 0, 0}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, BpfMap.ANY);
            List<String> lines = new ArrayList<>();
            for (String l : RUNNABLE.values())
                lines.add(l.replace("%P", String.valueOf(prog.id())).replace("%M", String.valueOf(map.id()))
                        .replace("%H", String.valueOf(hash.id())));
            Map<String, List<Map<String, List<String>>>> orders = new LinkedHashMap<>();
            for (int run = 0; run < 2; run++) {
                List<String> cmd = new ArrayList<>(CliProcess.command(System.getProperty("java.class.path")));
                cmd.set(cmd.indexOf("io.bpf4j.cli.Main"), JsonRuns.class.getName());
                cmd.addAll(lines);
                CliProcess p = CliProcess.run(new ProcessBuilder(cmd), 300);
                assertEquals(0, p.exit(), p.err());
                assertFalse(p.err().contains("\tat "), p.err());
                String[] parts = p.out().split("(?m)^" + JsonRuns.BEGIN);
                assertEquals(lines.size() + 1, parts.length, p.out().length() > 2000 ? p.out().substring(0, 2000) : p.out());
                for (int i = 0; i < lines.size(); i++) {
                    String part = parts[i + 1];
                    String head = part.substring(0, part.indexOf('\n'));
                    assertEquals("0 " + lines.get(i), head, p.err());
                    String json = part.substring(part.indexOf('\n') + 1, part.lastIndexOf(JsonRuns.END));
                    Object doc = JsonRead.parse(json);
                    Map<String, List<String>> keys = new LinkedHashMap<>();
                    collect(doc, "$", keys);
                    assertFalse(keys.isEmpty(), lines.get(i) + " printed no object: " + json);
                    orders.computeIfAbsent(lines.get(i), k -> new ArrayList<>()).add(keys);
                }
            }
            for (var e : orders.entrySet()) assertOneOrder(e.getKey(), e.getValue());
        }
    }

    /** Each object's keys in document order, by where it is ($.programs[].slots[]); a NUL starts each object. */
    @SuppressWarnings("unchecked")
    static void collect(Object v, String at, Map<String, List<String>> keys) {
        if (v instanceof Map<?, ?> m) {
            List<String> order = keys.computeIfAbsent(at, k -> new ArrayList<>());
            order.add("\u0000"); // start of one object
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                order.add(e.getKey());
                // Keys that are data (slot indexes, kernel field names) are not a schema: collect below them alike.
                collect(e.getValue(), at + "." + (e.getKey().matches("\\d+") ? "#" : e.getKey()), keys);
            }
        } else if (v instanceof List<?> l) {
            for (Object x : l) collect(x, at + "[]", keys);
        }
    }

    /** Every two keys seen together at one place are in the same order everywhere, in every run. */
    static void assertOneOrder(String command, List<Map<String, List<String>>> runs) {
        Map<String, Map<String, String>> before = new LinkedHashMap<>(); // place -> "a\u0001b" -> first seen where
        for (int run = 0; run < runs.size(); run++) {
            for (var place : runs.get(run).entrySet()) {
                List<String> seq = place.getValue();
                Map<String, String> pairs = before.computeIfAbsent(place.getKey(), k -> new LinkedHashMap<>());
                int start = 0;
                for (int i = 1; i <= seq.size(); i++) {
                    if (i < seq.size() && !seq.get(i).equals("\u0000")) continue;
                    List<String> object = seq.subList(start + 1, i);
                    for (int a = 0; a < object.size(); a++) {
                        for (int b = a + 1; b < object.size(); b++) {
                            String x = object.get(a), y = object.get(b);
                            String reversed = pairs.get(y + "\u0001" + x);
                            assertNull(reversed, command + ": at " + place.getKey() + " '" + x + "' comes before '" + y
                                    + "' in run " + (run + 1) + ", after it in " + reversed);
                            pairs.putIfAbsent(x + "\u0001" + y, "run " + (run + 1));
                        }
                    }
                    start = i;
                }
            }
        }
    }
}
