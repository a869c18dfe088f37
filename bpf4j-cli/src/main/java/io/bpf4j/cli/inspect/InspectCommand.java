package io.bpf4j.cli.inspect;

import io.bpf4j.internal.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bpf4j inspect}: programs, maps, links and BTF objects loaded in the running kernel. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show BPF programs, maps, links and BTF objects in the running kernel.",
        subcommands = {InspectCommand.Prog.class, InspectCommand.MapCmd.class, InspectCommand.Link.class,
                InspectCommand.BtfCmd.class, GraphCommand.class})
public final class InspectCommand implements Callable<Integer> {
    @Mixin Options opts;

    /**
     * Options every inspect subcommand takes. Given before the subcommand ({@code inspect --json
     * prog}) they are the parent's, and the subcommand gets them as its own from
     * {@link io.bpf4j.cli.support.Conventions}, as every command does.
     */
    public static final class Options {
        @Option(names = "--details", description = "Subprograms, used maps, prog array owner and slots.")
        boolean details;

        @Option(names = "--json", description = "One JSON document with stable field names.")
        boolean json;

        // Null when not given: inspector() reads it as auto.
        @Option(names = "--source", paramLabel = "auto|uapi|kcore",
                description = {"Where --details facts come from: uapi (bpf(2), fdinfo), kcore (also kernel memory",
                    "via /proc/kcore + BTF: owner fields, ptrs[] slots, poke_progs, tail_call_reachable,",
                    "extension targets, trampolines), auto (kcore where readable; default)."})
        String source;

        /** Why kernel memory was not used with --source auto; printed after the output. */
        String note;

        /** An inspector for these options; kernel memory is opened only where details need it. */
        Inspector inspector() {
            String source = this.source == null ? "auto" : this.source;
            if (!source.equals("auto") && !source.equals("uapi") && !source.equals("kcore"))
                throw new io.bpf4j.cli.support.UsageException("--source must be auto, uapi or kcore, not " + source);
            if (!details && !source.equals("kcore")) return new Inspector();
            return new Inspector(KcoreFacts.open(source, n -> note = n).orElse(null));
        }

        /** After successful output: the auto fallback's note, so an error stays one line. */
        void printNote() {
            if (note != null) System.err.println(note);
        }
    }

    @Override
    public Integer call() {
        Inspector in = opts.inspector();
        var progs = in.programs(opts.details);
        var maps = in.maps(opts.details);
        var links = in.links(opts.details);
        StringBuilder sb = new StringBuilder();
        summary(sb, progs, maps, links, opts.json);
        write(System.out, sb);
        opts.printNote();
        return 0;
    }

    /** What {@code inspect} prints: a count line and every object, or one JSON object (FastInspect.summary). */
    static void summary(StringBuilder sb, List<Map<String, Object>> progs, List<Map<String, Object>> maps,
            List<Map<String, Object>> links, boolean json) {
        FastInspect.summary(sb, FastInspect.rendered("prog", json, progs), FastInspect.rendered("map", json, maps),
                FastInspect.rendered("link", json, links), json);
    }

    @Command(name = "prog", mixinStandardHelpOptions = true, description = "Show programs (all, or one by id).",
            subcommands = DumpCommand.class)
    static final class Prog implements Callable<Integer> {
        @Mixin Options opts;
        @Parameters(arity = "0..1", paramLabel = "ID") Integer id;

        @Override
        public Integer call() {
            Inspector in = opts.inspector();
            List<Map<String, Object>> l = id == null ? in.programs(opts.details) : List.of(in.program(id, opts.details));
            print(l, opts.json, Text::prog);
            opts.printNote();
            return 0;
        }
    }

    @Command(name = "map", mixinStandardHelpOptions = true, description = "Show maps (all, or one by id).",
            subcommands = MapDumpCommand.class)
    static final class MapCmd implements Callable<Integer> {
        @Mixin Options opts;
        @Parameters(arity = "0..1", paramLabel = "ID") Integer id;

        @Override
        public Integer call() {
            Inspector in = opts.inspector();
            List<Map<String, Object>> l = id == null ? in.maps(opts.details) : List.of(in.map(id, opts.details));
            print(l, opts.json, Text::map);
            opts.printNote();
            return 0;
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true, description = "Show links (all, or one by id).")
    static final class Link implements Callable<Integer> {
        @Mixin Options opts;
        @Parameters(arity = "0..1", paramLabel = "ID") Integer id;

        @Override
        public Integer call() {
            Inspector in = opts.inspector();
            List<Map<String, Object>> l = id == null ? in.links(opts.details) : List.of(in.link(id, opts.details));
            print(l, opts.json, Text::link);
            opts.printNote();
            return 0;
        }
    }

    @Command(name = "btf", mixinStandardHelpOptions = true, description = "Show BTF objects loaded in the kernel (all, or one by id).")
    static final class BtfCmd implements Callable<Integer> {
        @Mixin Options opts;
        @Parameters(arity = "0..1", paramLabel = "ID") Integer id;

        @Override
        public Integer call() {
            Inspector in = new Inspector();
            print(id == null ? in.btfs() : List.of(in.btfObject(id)), opts.json, Text::btf);
            return 0;
        }
    }

    interface Renderer {
        void render(StringBuilder out, Map<String, Object> m);
    }

    static void print(List<Map<String, Object>> l, boolean json, Renderer r) {
        StringBuilder sb = new StringBuilder();
        if (json) {
            sb.append(Json.write(l)).append('\n');
        } else {
            for (Map<String, Object> m : l) r.render(sb, m);
        }
        write(System.out, sb);
    }

    /**
     * The whole output in one write to whatever System.out is now (tests capture it): per-line
     * printing costs a write(2) per line, and encoding line by line is slow on a cold JVM.
     */
    static void write(PrintStream out, CharSequence text) {
        byte[] b = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.flush();
    }
}
