package io.bpf4j.tools.graph;

import java.util.Map;

/**
 * One self-contained HTML page: the graph's SVG inline, its nodes' facts and edges as a JSON
 * object, and a little script (no network, no library) to pan by dragging, zoom with the wheel
 * (or + and -), fit with 0, and show a clicked node's facts and edges, each edge with the
 * source of its fact.
 */
public final class Html {
    private Html() {}

    /** @param svg the graph as {@link Graphviz#svg} made it from {@link Dot#render} */
    public static String page(Graph g, String svg) {
        int at = svg.indexOf("<svg");
        String inline = at < 0 ? svg : svg.substring(at);
        StringBuilder sb = new StringBuilder(inline.length() + 8192);
        sb.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>""").append(text("bpf4j inspect graph: " + g.kernel())).append("""
                </title>
                <style>
                html, body { margin: 0; height: 100%; font: 13px/1.4 Helvetica, Arial, sans-serif; color: #0f172a; }
                body { display: flex; flex-direction: column; }
                header { padding: 6px 12px; background: #f1f5f9; border-bottom: 1px solid #cbd5e1; }
                header span { color: #475569; margin-left: 1em; }
                main { flex: 1; display: flex; min-height: 0; }
                #view { flex: 1; overflow: hidden; cursor: grab; background: #fff; }
                #view.drag { cursor: grabbing; }
                #view svg { width: 100%; height: 100%; display: block; }
                #details { width: 360px; overflow: auto; border-left: 1px solid #cbd5e1; padding: 8px 12px; background: #f8fafc; }
                #details h2 { font-size: 15px; margin: 4px 0; }
                #details table { border-collapse: collapse; width: 100%; }
                #details td { vertical-align: top; padding: 2px 4px; border-bottom: 1px solid #e2e8f0; word-break: break-word; }
                #details td:first-child { color: #475569; white-space: nowrap; }
                #details .src { color: #64748b; font-size: 11px; }
                g.node { cursor: pointer; }
                g.node.sel > path, g.node.sel > polygon, g.node.sel > ellipse { stroke: #e11d48; stroke-width: 3px; }
                </style>
                </head>
                <body>
                <header><b>bpf4j inspect graph</b><span>""").append(text("kernel " + g.kernel())).append("""
                </span><span>drag: pan · wheel or + -: zoom · 0: fit · click a node: details</span></header>
                <main>
                <div id="view">
                """);
        sb.append(inline.strip()).append('\n');
        sb.append("""
                </div>
                <aside id="details"><p>Click a node to see what the kernel reported about it.</p>""");
        for (String n : g.notes()) sb.append("<p class=\"src\">").append(text(n)).append("</p>");
        sb.append("</aside>\n</main>\n<script>\nconst GRAPH = ").append(json(g).replace("</", "<\\/")).append(";\n");
        sb.append("""
                (() => {
                  const view = document.getElementById('view'), svg = view.querySelector('svg'), details = document.getElementById('details');
                  svg.removeAttribute('width'); svg.removeAttribute('height');
                  const vb0 = svg.viewBox.baseVal, home = [vb0.x, vb0.y, vb0.width, vb0.height];
                  let [x, y, w, h] = home;
                  const set = () => svg.setAttribute('viewBox', `${x} ${y} ${w} ${h}`);
                  const toSvg = (cx, cy) => { const p = svg.createSVGPoint(); p.x = cx; p.y = cy; return p.matrixTransform(svg.getScreenCTM().inverse()); };
                  const zoom = (k, cx, cy) => { const p = toSvg(cx, cy); x = p.x - (p.x - x) * k; y = p.y - (p.y - y) * k; w *= k; h *= k; set(); };
                  view.addEventListener('wheel', e => { e.preventDefault(); zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, e.clientX, e.clientY); }, { passive: false });
                  let drag = null, moved = false;
                  view.addEventListener('mousedown', e => { drag = { cx: e.clientX, cy: e.clientY, x, y }; moved = false; view.classList.add('drag'); });
                  window.addEventListener('mousemove', e => {
                    if (!drag) return;
                    const r = svg.getBoundingClientRect(), s = Math.max(w / r.width, h / r.height);
                    if (Math.abs(e.clientX - drag.cx) + Math.abs(e.clientY - drag.cy) > 3) moved = true;
                    x = drag.x - (e.clientX - drag.cx) * s; y = drag.y - (e.clientY - drag.cy) * s; set();
                  });
                  window.addEventListener('mouseup', () => { drag = null; view.classList.remove('drag'); });
                  window.addEventListener('keydown', e => {
                    const r = svg.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
                    if (e.key === '+' || e.key === '=') zoom(0.8, cx, cy);
                    else if (e.key === '-') zoom(1.25, cx, cy);
                    else if (e.key === '0') { [x, y, w, h] = home; set(); }
                  });
                  const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
                  const name = id => GRAPH.nodes[id] ? GRAPH.nodes[id].label + ' (' + GRAPH.nodes[id].summary + ')' : id;
                  const show = id => {
                    const n = GRAPH.nodes[id];
                    if (!n) return;
                    svg.querySelectorAll('g.node.sel').forEach(g => g.classList.remove('sel'));
                    const el = document.getElementById(id);
                    if (el) el.classList.add('sel');
                    let t = `<h2>${esc(n.label)}</h2><div>${esc(n.summary)} · ${esc(n.kind)}</div><table>`;
                    for (const [k, v] of Object.entries(n.facts)) t += `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`;
                    t += '</table><h2>edges</h2><table>';
                    for (const e of GRAPH.edges) {
                      if (e.from !== id && e.to !== id) continue;
                      const other = e.from === id ? '→ ' + name(e.to) : '← ' + name(e.from);
                      t += `<tr><td>${esc(e.label || e.kind)}</td><td>${esc(other)}<div class="src">${esc(e.source)}</div></td></tr>`;
                    }
                    details.innerHTML = t + '</table>';
                  };
                  svg.addEventListener('click', e => { const g = e.target.closest('g.node'); if (g && !moved) show(g.id); });
                })();
                </script>
                </body>
                </html>
                """);
        return sb.toString();
    }

    /** Nodes by id (label, summary, kind, facts) and edges, as JSON. */
    static String json(Graph g) {
        StringBuilder sb = new StringBuilder("{\"nodes\":{");
        boolean first = true;
        for (Node n : g.nodes()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(str(n.id())).append(":{\"label\":").append(str(n.label())).append(",\"summary\":").append(str(n.summary()))
              .append(",\"kind\":").append(str(n.kind().description())).append(",\"facts\":{");
            boolean f = true;
            for (Map.Entry<String, String> e : n.facts().entrySet()) {
                if (!f) sb.append(',');
                f = false;
                sb.append(str(e.getKey())).append(':').append(str(e.getValue()));
            }
            sb.append("}}");
        }
        sb.append("},\"edges\":[");
        first = true;
        for (Edge e : g.edges()) {
            if (!first) sb.append(',');
            first = false;
            sb.append("{\"from\":").append(str(e.from())).append(",\"to\":").append(str(e.to())).append(",\"kind\":")
              .append(str(e.kind().description())).append(",\"label\":").append(str(e.label())).append(",\"source\":")
              .append(str(e.source())).append('}');
        }
        return sb.append("]}").toString();
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    static String text(String s) {
        return Dot.html(s);
    }
}
