package io.bpf4j.tools.graph;

import java.util.EnumSet;
import java.util.Set;

/**
 * The graph in graphviz's DOT language, top to bottom in the direction control goes (attach
 * point, link, program, maps and tail calls), colored by kind, with a legend of the kinds
 * present as the graph's label. One line per node and per edge, in {@link Graph}'s order, so the
 * same kernel state always gives the same text. Node names are the graph's ids; each also
 * becomes the SVG element id ({@code id=}), which the HTML page uses.
 */
public final class Dot {
    private Dot() {}

    /** Fill, border and shape of a node kind. */
    record Style(String fill, String border, String shape, String style) {}

    static Style style(Node.Kind k) {
        return switch (k) {
            case PROGRAM -> new Style("#dbeafe", "#1d4ed8", "box", "rounded,filled");
            case EXTENSION -> new Style("#ede9fe", "#6d28d9", "box", "rounded,filled");
            case FUNCTION -> new Style("#ffffff", "#6d28d9", "box", "rounded,filled,dashed");
            case MAP -> new Style("#fef3c7", "#b45309", "cylinder", "filled");
            case PROG_ARRAY -> new Style("#fed7aa", "#c2410c", "cylinder", "filled");
            case LINK -> new Style("#f1f5f9", "#64748b", "box", "rounded,filled");
            default -> new Style("#dcfce7", "#15803d", "cds", "filled"); // attach points
        };
    }

    /** Color, line style and width of an edge kind. */
    record EdgeStyle(String color, String style, String width) {}

    static EdgeStyle style(Edge.Kind k) {
        return switch (k) {
            case ATTACH -> new EdgeStyle("#15803d", "solid", "1.4");
            case RUNS -> new EdgeStyle("#64748b", "solid", "1.2");
            case USES -> new EdgeStyle("#d4a373", "dashed", "0.9"); // many and long: lighter than the wiring
            case TAIL_CALLS, SLOT -> new EdgeStyle("#c2410c", "solid", "1.8");
            case INNER_MAP -> new EdgeStyle("#b45309", "solid", "1.2");
            case CALLS -> new EdgeStyle("#1d4ed8", "dotted", "1.2");
            case TARGET -> new EdgeStyle("#6d28d9", "dashed", "1.6");
        };
    }

    public static String render(Graph g) {
        StringBuilder sb = new StringBuilder(256 + 200 * (g.nodes().size() + g.edges().size()));
        sb.append("digraph bpf {\n");
        sb.append("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=10, nodesep=0.25, ranksep=0.45, pad=0.3, ")
          .append("labelloc=b, labeljust=l, label=").append(legend(g)).append("];\n");
        sb.append("  node [fontname=\"Helvetica\", fontsize=11, penwidth=1.3, margin=\"0.15,0.06\"];\n");
        sb.append("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
        for (Node n : g.nodes()) {
            Style s = style(n.kind());
            sb.append("  ").append(quote(n.id())).append(" [id=").append(quote(n.id()))
              .append(", label=<<b>").append(html(n.label())).append("</b><br/><font point-size=\"9\" color=\"#334155\">")
              .append(html(n.summary())).append("</font>>, shape=").append(s.shape());
            // A cylinder's top ellipse and a cds's tight border take room from the label: more
            // margin keeps the name clear of them.
            if (s.shape().equals("cylinder")) sb.append(", margin=\"0.15,0.14\"");
            else if (s.shape().equals("cds")) sb.append(", margin=\"0.2,0.1\"");
            sb.append(", style=\"").append(s.style())
              .append("\", fillcolor=\"").append(s.fill()).append("\", color=\"").append(s.border()).append("\"];\n");
        }
        for (Edge e : g.edges()) {
            EdgeStyle s = style(e.kind());
            sb.append("  ").append(quote(e.from())).append(" -> ").append(quote(e.to())).append(" [");
            if (!e.label().isEmpty()) sb.append("label=").append(quote(" " + e.label() + " ")).append(", fontcolor=\"").append(s.color()).append("\", ");
            sb.append("color=\"").append(s.color()).append("\", style=").append(s.style()).append(", penwidth=").append(s.width())
              .append(", tooltip=").append(quote(e.kind().description() + ": " + e.source()));
            sb.append("];\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /** The title line and one swatch per node kind and edge kind the graph has. */
    static String legend(Graph g) {
        Set<Node.Kind> kinds = EnumSet.noneOf(Node.Kind.class);
        g.nodes().forEach(n -> kinds.add(n.kind()));
        Set<Edge.Kind> ekinds = EnumSet.noneOf(Edge.Kind.class);
        g.edges().forEach(e -> ekinds.add(e.kind()));
        long progs = g.nodes().stream().filter(n -> n.kind() == Node.Kind.PROGRAM || n.kind() == Node.Kind.EXTENSION).count();
        long maps = g.nodes().stream().filter(n -> n.kind() == Node.Kind.MAP || n.kind() == Node.Kind.PROG_ARRAY).count();
        long links = g.nodes().stream().filter(n -> n.kind() == Node.Kind.LINK).count();
        // Three rows of nested tables, so that node and edge swatches pack left independently.
        StringBuilder sb = new StringBuilder("<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">");
        sb.append("<tr><td align=\"left\"><b>").append(html("bpf4j inspect graph")).append("</b>  ")
          .append(html("kernel " + g.kernel() + ": " + progs + " programs, " + maps + " maps, " + links + " links"))
          .append("</td></tr><tr><td align=\"left\"><table border=\"0\" cellborder=\"0\" cellspacing=\"3\" cellpadding=\"2\"><tr>");
        for (Node.Kind k : kinds) {
            Style s = style(k);
            sb.append("<td border=\"1\" color=\"").append(s.border()).append("\" bgcolor=\"").append(s.fill()).append("\">")
              .append(html(k.description())).append("</td>");
        }
        sb.append("</tr></table></td></tr><tr><td align=\"left\"><table border=\"0\" cellborder=\"0\" cellspacing=\"3\" cellpadding=\"2\"><tr>");
        for (Edge.Kind k : ekinds) {
            EdgeStyle s = style(k);
            String line = switch (s.style()) {
                case "dashed" -> "- - \u25b6";
                case "dotted" -> "\u00b7\u00b7\u00b7\u25b6";
                default -> "\u2501\u2501\u25b6";
            };
            sb.append("<td align=\"left\"><font color=\"").append(s.color()).append("\">").append(line).append(' ')
              .append(html(k.description())).append("</font></td>");
        }
        sb.append("</tr></table></td></tr></table>>");
        return sb.toString();
    }

    /** A DOT double-quoted string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            if (c == '\n') {
                sb.append("\\n");
                continue;
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** Text inside a DOT HTML-like label. */
    static String html(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> {
                    if (c < 0x20) sb.append(' ');
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}
