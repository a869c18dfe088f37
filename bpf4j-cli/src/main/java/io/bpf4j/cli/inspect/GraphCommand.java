package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.tools.graph.Dot;
import io.bpf4j.tools.graph.Graph;
import io.bpf4j.tools.graph.GraphBuilder;
import io.bpf4j.tools.graph.Graphviz;
import io.bpf4j.tools.graph.Html;
import io.bpf4j.tools.graph.TextTree;
import io.bpf4j.tools.kmem.KernelBpf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code bpf4j inspect graph}: how loaded programs, maps, links and attach points are wired. */
@Command(name = "graph", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show how loaded BPF objects are wired together. The graph has programs and",
            "the maps they use, prog array slots (tail calls), extensions and the functions",
            "they replace, links and what they attach to (kernel function, tracepoint, device,",
            "cgroup, netns, netfilter hook), and perf events that processes hold.",
            "",
            "With program IDs: only the connected components that contain them, i.e. all",
            "that is wired to them through any chain of edges, in either direction (a map",
            "shared by many programs joins their components)."})
final class GraphCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { text, dot, svg, html }

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|dot|svg|html",
            description = {"text: indented trees (default); dot: graphviz input, in a",
                "stable order; svg: laid out by graphviz's dot; html: one page",
                "(inline SVG, pan, zoom, click a node for its facts)."})
    Format format;

    @Option(names = "--source", defaultValue = "auto", paramLabel = "auto|uapi|kcore",
            description = {"uapi: bpf(2), fdinfo and /proc; kcore: also kernel memory",
                "(an extension's target before attach, tracing link targets",
                "where link info lacks them, poke programs); auto: kcore where",
                "/proc/kcore is readable (default)."})
    String source;

    @Parameters(arity = "0..*", paramLabel = "ID", description = "Program ids whose connected components to show.")
    List<Integer> ids = new ArrayList<>();

    String note;

    @Override
    public Integer call() {
        if (!source.equals("auto") && !source.equals("uapi") && !source.equals("kcore"))
            throw new io.bpf4j.cli.support.UsageException("--source must be auto, uapi or kcore, not " + source);
        if ((format == Format.svg || format == Format.html) && Graphviz.dot().isEmpty())
            throw new BpfException("--format " + format + " needs graphviz's dot to lay the graph out, and it is not installed "
                    + "(apt-get install graphviz); --format dot or text work without it");
        Graph g;
        Optional<KernelBpf> kb = KcoreFacts.open(source, n -> note = n);
        try {
            g = new GraphBuilder(kb.orElse(null)).build();
        } finally {
            kb.ifPresent(KernelBpf::close);
        }
        if (!ids.isEmpty()) {
            List<String> seeds = new ArrayList<>();
            for (int id : ids) {
                if (g.node("prog:" + id).isEmpty()) throw new BpfException("no program with id " + id);
                seeds.add("prog:" + id);
            }
            g = g.components(seeds);
        }
        String out = switch (format) {
            case text -> TextTree.render(g);
            case dot -> Dot.render(g);
            case svg -> Graphviz.svg(Dot.render(g));
            case html -> Html.page(g, Graphviz.svg(Dot.render(g)));
        };
        InspectCommand.write(System.out, out);
        if (note != null) System.err.println(note);
        for (String n : g.notes()) System.err.println("bpf4j inspect graph: " + n);
        return 0;
    }
}
