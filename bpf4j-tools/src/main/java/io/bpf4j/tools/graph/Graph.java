package io.bpf4j.tools.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The wiring of loaded BPF objects: nodes and edges in a fixed order (nodes by kind, then by
 * id with numbers compared as numbers; edges by their ends in node order), so that every
 * rendering of the same kernel state is the same text.
 *
 * @param kernel the running kernel's release, for titles
 * @param notes  what could not be read and what that leaves out, one line each
 */
public record Graph(String kernel, List<Node> nodes, List<Edge> edges, List<String> notes) {

    /** Nodes by kind, then id; ids compare part by part, numeric parts as numbers. */
    public static final Comparator<Node> NODE_ORDER = Comparator.comparing(Node::kind).thenComparing(Node::id, Graph::compareIds);

    public Graph {
        Map<String, Node> byId = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (byId.putIfAbsent(n.id(), n) != null) throw new IllegalArgumentException("two nodes with id " + n.id());
        }
        List<Node> ns = new ArrayList<>(byId.values());
        ns.sort(NODE_ORDER);
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < ns.size(); i++) rank.put(ns.get(i).id(), i);
        for (Edge e : edges) {
            if (!rank.containsKey(e.from()) || !rank.containsKey(e.to()))
                throw new IllegalArgumentException("edge " + e.from() + " -> " + e.to() + " names a node the graph does not have");
        }
        // One edge per (from, to, kind): the same fact seen twice (link info and task_fd_query) is drawn once.
        Map<String, Edge> unique = new LinkedHashMap<>();
        for (Edge e : edges) unique.putIfAbsent(e.from() + "\u0000" + e.to() + "\u0000" + e.kind(), e);
        List<Edge> es = new ArrayList<>(unique.values());
        es.sort(Comparator.<Edge>comparingInt(e -> rank.get(e.from())).thenComparingInt(e -> rank.get(e.to()))
                .thenComparing(Edge::kind).thenComparing(Edge::label));
        nodes = List.copyOf(ns);
        edges = List.copyOf(es);
        notes = List.copyOf(notes);
    }

    public Optional<Node> node(String id) {
        for (Node n : nodes) if (n.id().equals(id)) return Optional.of(n);
        return Optional.empty();
    }

    public List<Edge> outgoing(String id) {
        return edges.stream().filter(e -> e.from().equals(id)).toList();
    }

    public List<Edge> incoming(String id) {
        return edges.stream().filter(e -> e.to().equals(id)).toList();
    }

    /**
     * The connected components (edges taken in both directions) that contain the given nodes:
     * everything wired to them through any chain of programs, maps, links and attach points. A
     * map shared by many programs (a perf event array, a config map) joins their components.
     */
    public Graph components(Collection<String> seeds) {
        Map<String, List<String>> adj = new HashMap<>();
        for (Edge e : edges) {
            adj.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e.to());
            adj.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e.from());
        }
        Set<String> keep = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (String s : seeds) {
            if (node(s).isEmpty()) throw new IllegalArgumentException("no node " + s);
            if (keep.add(s)) todo.add(s);
        }
        while (!todo.isEmpty()) {
            for (String n : adj.getOrDefault(todo.poll(), List.of())) if (keep.add(n)) todo.add(n);
        }
        return new Graph(kernel, nodes.stream().filter(n -> keep.contains(n.id())).toList(),
                edges.stream().filter(e -> keep.contains(e.from())).toList(), notes);
    }

    /** Splits the graph into its connected components, each in node order, ordered by their first node. */
    public List<List<Node>> componentNodes() {
        List<List<Node>> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node n : nodes) {
            if (seen.contains(n.id())) continue;
            List<Node> c = components(List.of(n.id())).nodes();
            c.forEach(x -> seen.add(x.id()));
            out.add(c);
        }
        return out;
    }

    /** Compares ids such as {@code prog:9} and {@code prog:10} part by part, numbers as numbers. */
    static int compareIds(String a, String b) {
        String[] pa = a.split(":", -1), pb = b.split(":", -1);
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c = comparePart(pa[i], pb[i]);
            if (c != 0) return c;
        }
        return Integer.compare(pa.length, pb.length);
    }

    private static int comparePart(String a, String b) {
        boolean na = isNumber(a), nb = isNumber(b);
        if (na && nb) {
            int c = Integer.compare(a.length(), b.length()); // no leading zeros: longer is larger
            return c != 0 ? c : a.compareTo(b);
        }
        if (na != nb) return na ? -1 : 1;
        return a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 19) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return !(s.length() > 1 && s.charAt(0) == '0');
    }
}
