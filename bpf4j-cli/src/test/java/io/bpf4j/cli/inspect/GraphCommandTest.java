package io.bpf4j.cli.inspect;

import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.LinkInfo;
import io.bpf4j.MapInfo;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Helper;
import io.bpf4j.asm.Size;
import io.bpf4j.cli.CliRun;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.link.Links;
import io.bpf4j.tools.graph.Graphviz;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bpf4j.asm.Reg.R0;
import static io.bpf4j.asm.Reg.R1;
import static io.bpf4j.asm.Reg.R2;
import static io.bpf4j.asm.Reg.R10;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code inspect graph} on this machine's kernel: an XDP program on {@code lo} through a link
 * tail-calls through a prog array into a second XDP program that looks up a hash map (and a
 * slot of the array holds the caller itself, a cycle). The DOT's nodes and edges must be exactly
 * what the kernel reports for these objects: prog info map_ids, the prog array's slots by
 * lookup, the link's info (program, ifindex) and the device's name from sysfs.
 */
class GraphCommandTest {
    static final Pattern NODE = Pattern.compile("^  \"([^\"]+)\" \\[id=\"[^\"]+\", label=<<b>([^<]*)</b>", Pattern.MULTILINE);
    static final Pattern EDGE = Pattern.compile("^  \"([^\"]+)\" -> \"([^\"]+)\" \\[(?:label=\" (.*?) \", )?", Pattern.MULTILINE);

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** {@code *(u32 *)(fp-4) = 0; r0 = bpf_map_lookup_elem(map, fp-4); return XDP_PASS}. */
    static byte[] lookingUp(BpfMap map) {
        return new Asm()
                .st(Size.W, R10, -4, 0)
                .ldMapFd(R1, map.fd().raw())
                .mov64(R2, R10).add64(R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .mov64(R0, TestPrograms.XDP_PASS)
                .exit()
                .bytes();
    }

    /** "from -> to label" for each DOT edge; nodes as "id label". */
    static Set<String> edges(String dot) {
        Set<String> s = new TreeSet<>();
        Matcher m = EDGE.matcher(dot);
        while (m.find()) s.add(m.group(1) + " -> " + m.group(2) + (m.group(3) == null ? "" : " " + m.group(3)));
        return s;
    }

    static Set<String> nodes(String dot) {
        Set<String> s = new TreeSet<>();
        Matcher m = NODE.matcher(dot);
        while (m.find()) s.add(m.group(1) + " " + m.group(2));
        return s;
    }

    @Test
    void dotHasTheNodesAndEdgesTheKernelReportsForAnXdpTailCallChain() throws Exception {
        int loIndex = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).strip());
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4).withName("g_progs"));
             BpfMap hash = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("g_hash"));
             BpfProgram callee = TestPrograms.load(ProgType.XDP, "g_callee", lookingUp(hash));
             BpfProgram entry = TestPrograms.load(ProgType.XDP, "g_entry", TestPrograms.tailCalling(progs, 1, TestPrograms.XDP_PASS))) {
            progs.update(u32(1), u32(callee.fd().raw()), BpfMap.ANY);
            progs.update(u32(3), u32(entry.fd().raw()), BpfMap.ANY);
            try (BpfLink link = Links.xdp(entry, loIndex, 0)) {
                // What the kernel reports, independently of the graph code.
                ProgInfo ei = entry.info(), ci = callee.info();
                LinkInfo li = link.info();
                assertEquals(ei.id(), li.progId());
                assertEquals(loIndex, li.fields().get("ifindex"));
                Set<String> expectedEdges = new TreeSet<>();
                for (ProgInfo pi : new ProgInfo[] {ei, ci}) {
                    for (int mapId : pi.mapIds()) {
                        MapInfo mi;
                        try (BpfMap m = BpfMap.fromId(mapId)) {
                            mi = m.info();
                        }
                        expectedEdges.add("prog:" + pi.id() + " -> map:" + mapId + (mi.type() == MapType.PROG_ARRAY ? " tail call" : ""));
                    }
                }
                for (int slot = 0; slot < 4; slot++) {
                    Optional<byte[]> v = progs.lookup(u32(slot));
                    if (v.isPresent()) expectedEdges.add("map:" + progs.id() + " -> prog:" + u32(v.get()) + " [" + slot + "]");
                }
                expectedEdges.add("netdev:" + li.fields().get("ifindex") + " -> link:" + li.id() + " xdp");
                expectedEdges.add("link:" + li.id() + " -> prog:" + li.progId());
                // The kernel's answers are the chain this test built.
                assertEquals(Set.of(
                        "prog:" + ei.id() + " -> map:" + progs.id() + " tail call",
                        "prog:" + ci.id() + " -> map:" + hash.id(),
                        "map:" + progs.id() + " -> prog:" + ci.id() + " [1]",
                        "map:" + progs.id() + " -> prog:" + ei.id() + " [3]",
                        "netdev:" + loIndex + " -> link:" + li.id() + " xdp",
                        "link:" + li.id() + " -> prog:" + ei.id()), expectedEdges);

                CliRun dot = CliRun.of("inspect", "graph", "--format", "dot", String.valueOf(ei.id()));
                assertEquals(0, dot.exit(), dot.err());
                assertEquals(expectedEdges, edges(dot.out()), dot.out());
                assertEquals(Set.of(
                        "prog:" + ei.id() + " g_entry", "prog:" + ci.id() + " g_callee",
                        "map:" + progs.id() + " g_progs", "map:" + hash.id() + " g_hash",
                        "link:" + li.id() + " link " + li.id(), "netdev:" + loIndex + " lo"), nodes(dot.out()), dot.out());
                assertTrue(dot.out().contains("\"map:" + progs.id() + "\" [id=\"map:" + progs.id() + "\", label=<<b>g_progs</b><br/>"
                        + "<font point-size=\"9\" color=\"#334155\">map " + progs.id() + " · prog_array · 2/4 slots · owner xdp</font>>, shape=cylinder"),
                        dot.out());

                // The callee's component is the same one; the output is the same text each time.
                CliRun again = CliRun.of("inspect", "graph", "--format", "dot", String.valueOf(ci.id()));
                assertEquals(dot.out(), again.out());

                CliRun text = CliRun.of("inspect", "graph", String.valueOf(ei.id()));
                assertEquals(0, text.exit(), text.err());
                assertTrue(text.out().contains(String.join("\n",
                        "lo  network device · ifindex " + loIndex,
                        "└─ xdp → link " + li.id() + "  xdp",
                        "   └─ runs → g_entry  prog " + ei.id() + " · xdp",
                        "      └─ tail call → g_progs  map " + progs.id() + " · prog_array · 2/4 slots · owner xdp",
                        "         ├─ [1] → g_callee  prog " + ci.id() + " · xdp",
                        "         │  └─ uses map → g_hash  map " + hash.id() + " · hash",
                        "         └─ [3] → g_entry  prog " + ei.id() + " · xdp  (above)", "")), text.out());

                if (Graphviz.dot().isPresent()) {
                    CliRun svg = CliRun.of("inspect", "graph", "--format", "svg", String.valueOf(ei.id()));
                    assertEquals(0, svg.exit(), svg.err());
                    assertTrue(svg.out().contains("<g id=\"prog:" + ei.id() + "\" class=\"node\">"), svg.out());
                    CliRun html = CliRun.of("inspect", "graph", "--format", "html", String.valueOf(ei.id()));
                    assertEquals(0, html.exit(), html.err());
                    assertTrue(html.out().startsWith("<!DOCTYPE html>"));
                    assertTrue(html.out().contains("<g id=\"link:" + li.id() + "\" class=\"node\">"));
                    assertTrue(html.out().contains("\"prog:" + ci.id() + "\":{\"label\":\"g_callee\""), "facts of each node as JSON");
                    assertFalse(html.out().matches("(?s).*(<script src|<link |@import|url\\(http).*"), "nothing fetched from the network");
                }
            }
        }
    }

    @Test
    void badArgumentsGetOneLineAndAnExitCode() {
        CliRun none = CliRun.of("inspect", "graph", "2147483647");
        assertEquals(1, none.exit());
        assertEquals("bpf4j inspect graph: no program with id 2147483647\n", none.err());
        CliRun format = CliRun.of("inspect", "graph", "--format", "png");
        assertEquals(2, format.exit());
        assertTrue(format.err().contains("--format"), format.err());
        CliRun id = CliRun.of("inspect", "graph", "abc");
        assertEquals(2, id.exit());
        CliRun source = CliRun.of("inspect", "graph", "--source", "memory");
        assertEquals(2, source.exit(), "a usage error");
        assertEquals("bpf4j inspect graph: --source must be auto, uapi or kcore, not memory\n", source.err());
    }
}
