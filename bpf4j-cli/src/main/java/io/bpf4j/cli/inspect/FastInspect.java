package io.bpf4j.cli.inspect;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code bpf4j inspect [--json]} and {@code bpf4j inspect [--json] prog|map|link [ID] [--json]}
 * without picocli. picocli's classes are
 * compiled for Java 5, so the JVM's AOT cache cannot keep them: a cold start that touches
 * picocli pays ~200 classes loaded and verified from the jar, several times bpftool's whole run
 * (issue 2: inspect within 3x bpftool). These few forms are parsed here; anything else (other
 * options, help, a malformed id) is left to picocli, which prints the same output for these
 * forms (InspectFastPathTest compares the two byte for byte).
 */
public final class FastInspect {
    private FastInspect() {}

    /**
     * What one fast-path command line asks for: {@code what} is prog, map, link, or null for the
     * summary of all three; a null id means "all".
     */
    record Request(String what, Integer id, boolean json) {}

    /**
     * The request these arguments make, or null when they are not this path's: exactly
     * {@code inspect}, at most one {@code --json} (the parent command's), and then either nothing
     * (the summary) or one of {@code prog map link} followed by at most one decimal id (no sign,
     * no leading zero, so picocli would read it the same) and at most one {@code --json}, in any
     * order. A subcommand takes its parent's --json as its own, as InspectCommand does.
     */
    static Request parse(String[] args) {
        if (args.length < 1 || args.length > 5 || !args[0].equals("inspect")) return null;
        int k = 1;
        boolean parentJson = k < args.length && args[k].equals("--json");
        if (parentJson) k++;
        if (k == args.length) return new Request(null, null, parentJson);
        String what = args[k++];
        if (!what.equals("prog") && !what.equals("map") && !what.equals("link")) return null;
        Integer id = null;
        boolean json = false;
        for (; k < args.length; k++) {
            String a = args[k];
            if (!json && a.equals("--json")) json = true;
            else if (id == null && isId(a)) id = Integer.parseInt(a);
            else return null;
        }
        return new Request(what, id, json || parentJson);
    }

    /** 1 to 2147483647 in plain decimal. */
    static boolean isId(String s) {
        int n = s.length();
        if (n == 0 || n > 10 || s.charAt(0) < '1' || s.charAt(0) > '9') return false;
        for (int i = 1; i < n; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return n < 10 || s.compareTo("2147483647") <= 0;
    }

    /** With BPF4J_TIMING=1, milliseconds since the JVM entered main at each step, on stderr. */
    private static final boolean TIMING = "1".equals(System.getenv("BPF4J_TIMING"));
    private static final long T0 = System.nanoTime();

    static void mark(String step) {
        if (TIMING) System.err.println("bpf4j timing: " + step + " " + (System.nanoTime() - T0) / 1000 + " us");
    }

    /**
     * Runs the command if the arguments are this path's. Returns the exit code, or -1 (nothing
     * printed) when picocli must handle them. Output is written to {@code out} in one piece.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        int dump = MapDumpCommand.fast(args, out, err);
        if (dump >= 0) return dump;
        Request r = parse(args);
        if (r == null) return -1;
        // Link bpf(2) on another thread (the largest fixed cost) while this one loads and
        // initialises what the walk needs next.
        Thread link = new Thread(io.bpf4j.internal.sys.Syscalls::link, "bpf4j-link");
        link.setDaemon(true);
        link.start();
        StringBuilder text = new StringBuilder(1 << 16);
        try {
            mark("parsed");
            Inspector in = new Inspector();
            in.prepare();
            mark("prepared");
            render(r, in, text);
            mark("rendered");
        } catch (Exception e) {
            err.println((r.what() == null ? "bpf4j inspect: " : "bpf4j inspect " + r.what() + ": ") + io.bpf4j.cli.support.Errors.message(e));
            if ("1".equals(System.getenv("BPF4J_DEBUG"))) e.printStackTrace(err);
            return 1;
        }
        InspectCommand.write(out, text);
        mark("written");
        return 0;
    }

    /**
     * The AOT cache's training (TrainCommand) of these paths, on the caller's program and map
     * only, so that training takes as long whatever the kernel holds: each object walked as
     * often as a listing that goes parallel walks (on two threads, as such a listing does), its
     * text and JSON rendered, and every form of this path run by id.
     */
    public static void train(PrintStream sink, int progId, int mapId) {
        Inspector in = new Inspector();
        in.prepare();
        List<Map<String, Object>> progs = in.walk(java.util.Collections.nCopies(Inspector.PARALLEL_FROM, progId), false,
                id -> in.program(id, false));
        List<Map<String, Object>> maps = in.walk(java.util.Collections.nCopies(Inspector.PARALLEL_FROM, mapId), false,
                id -> in.map(id, false));
        StringBuilder sb = new StringBuilder(1 << 20);
        InspectCommand.summary(sb, progs, maps, List.of(), false);
        InspectCommand.summary(sb, progs, maps, List.of(), true);
        InspectCommand.write(sink, sb);
        String p = String.valueOf(progId), m = String.valueOf(mapId);
        for (String[] args : new String[][] {{"inspect", "prog", p}, {"inspect", "prog", p, "--json"},
                {"inspect", "--json", "map", m}, {"inspect", "map", m}}) {
            for (int i = 0; i < 20; i++) run(args, sink, sink);
        }
    }

    /** The same lists and text as InspectCommand and its prog, map and link subcommands. */
    static void render(Request r, Inspector in, StringBuilder o) {
        mark("inspector");
        if (r.what() == null) {
            List<Map<String, Object>> progs = in.programs(false), maps = in.maps(false), links = in.links(false);
            mark("walked");
            InspectCommand.summary(o, progs, maps, links, r.json());
            return;
        }
        List<Map<String, Object>> l;
        switch (r.what()) {
            case "prog" -> l = r.id() == null ? in.programs(false) : List.of(in.program(r.id(), false));
            case "map" -> l = r.id() == null ? in.maps(false) : List.of(in.map(r.id(), false));
            default -> l = r.id() == null ? in.links(false) : List.of(in.link(r.id(), false));
        }
        mark("walked");
        if (r.json()) {
            o.append(io.bpf4j.internal.json.Json.write(l)).append('\n');
        } else {
            for (Map<String, Object> m : l) {
                switch (r.what()) {
                    case "prog" -> Text.prog(o, m);
                    case "map" -> Text.map(o, m);
                    default -> Text.link(o, m);
                }
            }
        }
    }
}
