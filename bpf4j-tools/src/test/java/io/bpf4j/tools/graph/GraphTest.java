package io.bpf4j.tools.graph;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The graph model and its renderings, on graphs built here (no kernel). */
class GraphTest {
    static Node prog(int id, String name) {
        return new Node("prog:" + id, Node.Kind.PROGRAM, name, "prog " + id + " · xdp", Map.of());
    }

    static Node map(int id, String name) {
        return new Node("map:" + id, Node.Kind.MAP, name, "map " + id + " · hash", Map.of());
    }

    static Edge uses(int prog, int map) {
        return new Edge("prog:" + prog, "map:" + map, Edge.Kind.USES, "", "test");
    }

    @Test
    void nodesSortByKindThenIdWithNumbersAsNumbers() {
        Graph g = new Graph("k", List.of(map(2, "m"), prog(10, "b"), prog(9, "a"),
                new Node("kfunc:tcp_connect", Node.Kind.KERNEL_FUNCTION, "tcp_connect", "kernel function", Map.of())),
                List.of(uses(10, 2), uses(9, 2)), List.of());
        assertEquals(List.of("kfunc:tcp_connect", "prog:9", "prog:10", "map:2"), g.nodes().stream().map(Node::id).toList());
        assertEquals(List.of("prog:9", "prog:10"), g.edges().stream().map(Edge::from).toList());
        // The same fact from two sources is one edge.
        Graph twice = new Graph("k", List.of(prog(1, "a"), map(2, "m")), List.of(uses(1, 2),
                new Edge("prog:1", "map:2", Edge.Kind.USES, "", "other")), List.of());
        assertEquals(1, twice.edges().size());
    }

    @Test
    void anEdgeToAMissingNodeOrTwoNodesWithOneIdAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Graph("k", List.of(prog(1, "a")), List.of(uses(1, 2)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Graph("k", List.of(prog(1, "a"), prog(1, "b")), List.of(), List.of()));
    }

    @Test
    void componentsFollowEdgesBothWays() {
        // 1 -> m2 <- 3 (shared map joins 1 and 3); 4 -> m5 alone.
        Graph g = new Graph("k", List.of(prog(1, "a"), prog(3, "c"), prog(4, "d"), map(2, "m"), map(5, "n")),
                List.of(uses(1, 2), uses(3, 2), uses(4, 5)), List.of());
        assertEquals(List.of("prog:1", "prog:3", "map:2"), g.components(List.of("prog:3")).nodes().stream().map(Node::id).toList());
        assertEquals(5, g.components(List.of("prog:1", "prog:4")).nodes().size());
        assertEquals(2, g.componentNodes().size());
    }

    @Test
    void textTreeEndsCyclesWithAbove() {
        Node pa = new Node("map:7", Node.Kind.PROG_ARRAY, "progs", "map 7 · prog_array", Map.of());
        Graph g = new Graph("k", List.of(prog(1, "entry"), pa),
                List.of(new Edge("prog:1", "map:7", Edge.Kind.TAIL_CALLS, "tail call", "t"),
                        new Edge("map:7", "prog:1", Edge.Kind.SLOT, "[0]", "t")), List.of());
        assertEquals("""
                1 programs, 1 maps, 0 links, 2 edges

                entry  prog 1 · xdp
                └─ tail call → progs  map 7 · prog_array
                   └─ [0] → entry  prog 1 · xdp  (above)
                """, TextTree.render(g));
    }

    @Test
    void dotQuotesNamesAndEscapesLabels() {
        Node odd = new Node("uprobe:/tmp/a \"b\":0x10", Node.Kind.ATTACH_POINT, "a<b>&c", "uprobe", Map.of());
        String dot = Dot.render(new Graph("k", List.of(odd), List.of(), List.of()));
        assertTrue(dot.contains("  \"uprobe:/tmp/a \\\"b\\\":0x10\" [id=\"uprobe:/tmp/a \\\"b\\\":0x10\", label=<<b>a&lt;b&gt;&amp;c</b>"), dot);
        assertTrue(dot.startsWith("digraph bpf {\n"));
        assertTrue(dot.endsWith("}\n"));
    }

    @Test
    void htmlCarriesFactsAsJsonThatCannotCloseItsScript() {
        Node n = new Node("prog:1", Node.Kind.PROGRAM, "a", "prog 1", Map.of("name", "</script><b>\"x\""));
        String page = Html.page(new Graph("k", List.of(n), List.of(), List.of()), "<?xml version=\"1.0\"?>\n<svg></svg>");
        assertFalse(page.contains("</script><b>"), page);
        assertTrue(page.contains("\"name\":\"<\\/script><b>\\\"x\\\"\""), page);
        assertFalse(page.contains("<?xml"), "the SVG's XML declaration is dropped when inlined");
    }
}
