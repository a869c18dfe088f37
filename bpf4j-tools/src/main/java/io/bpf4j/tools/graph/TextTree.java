package io.bpf4j.tools.graph;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The graph as indented trees for a terminal, components in node order. Each tree starts at
 * a node nothing points to (an attach point, an unattached program, an unused map) and follows
 * edges the way control goes; a node already shown in the component is named again with
 * {@code (above)} and not expanded, so cycles (a program that tail-calls itself) end.
 *
 * <pre>
 * tcp_connect  kernel function
 * └─ kprobe → link 7  perf_event
 *    └─ runs → k_tcp_connect  prog 3 · kprobe
 *       └─ uses → socks  map 1 · hash
 * </pre>
 */
public final class TextTree {
    private TextTree() {}

    public static String render(Graph g) {
        StringBuilder sb = new StringBuilder();
        long progs = g.nodes().stream().filter(n -> n.kind() == Node.Kind.PROGRAM || n.kind() == Node.Kind.EXTENSION).count();
        long maps = g.nodes().stream().filter(n -> n.kind() == Node.Kind.MAP || n.kind() == Node.Kind.PROG_ARRAY).count();
        long links = g.nodes().stream().filter(n -> n.kind() == Node.Kind.LINK).count();
        sb.append(progs).append(" programs, ").append(maps).append(" maps, ").append(links).append(" links, ")
          .append(g.edges().size()).append(" edges\n");
        for (List<Node> component : g.componentNodes()) {
            sb.append('\n');
            Set<String> ids = new HashSet<>();
            component.forEach(n -> ids.add(n.id()));
            Set<String> shown = new HashSet<>();
            // Roots: nodes without an incoming edge; then whatever a cycle left unvisited.
            boolean first = true;
            for (Node n : component) {
                if (g.incoming(n.id()).isEmpty() && !shown.contains(n.id())) {
                    if (!first) sb.append('\n');
                    first = false;
                    tree(g, n, sb, shown);
                }
            }
            for (Node n : component) {
                if (!shown.contains(n.id())) {
                    if (!first) sb.append('\n');
                    first = false;
                    tree(g, n, sb, shown);
                }
            }
        }
        return sb.toString();
    }

    private static void tree(Graph g, Node root, StringBuilder sb, Set<String> shown) {
        sb.append(line(root)).append('\n');
        shown.add(root.id());
        children(g, root, "", sb, shown);
    }

    private static void children(Graph g, Node n, String indent, StringBuilder sb, Set<String> shown) {
        List<Edge> out = g.outgoing(n.id());
        for (int i = 0; i < out.size(); i++) {
            Edge e = out.get(i);
            boolean last = i == out.size() - 1;
            Node to = g.node(e.to()).orElseThrow();
            sb.append(indent).append(last ? "└─ " : "├─ ").append(e.label().isEmpty() ? e.kind().description() : e.label())
              .append(" → ").append(line(to));
            if (shown.contains(to.id())) {
                sb.append("  (above)\n");
                continue;
            }
            sb.append('\n');
            shown.add(to.id());
            children(g, to, indent + (last ? "   " : "│  "), sb, shown);
        }
    }

    static String line(Node n) {
        return n.label() + "  " + n.summary();
    }
}
