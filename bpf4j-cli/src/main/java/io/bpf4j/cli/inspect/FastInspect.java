package io.bpf4j.cli.inspect;

import io.bpf4j.ObjectIds;
import io.bpf4j.internal.json.Json;

import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * {@code bpf4j inspect [--json]} and {@code bpf4j inspect [--json] prog|map|link [ID] [--json]}
 * without picocli. picocli's classes are compiled for Java 5, so the JVM's AOT cache cannot keep
 * them: a cold start that touches picocli pays ~200 classes loaded and verified from the jar,
 * more than `inspect` itself takes. These few forms are parsed here; anything else (other
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
     * only, so that training takes as long whatever the kernel holds: each object walked and
     * rendered (text and JSON) as often as a listing that goes parallel walks it (on two
     * threads, as such a listing does), and every form of this path run by id.
     */
    public static void train(PrintStream sink, int progId, int mapId) {
        Inspector in = new Inspector();
        in.prepare();
        // As many as make a long listing: several chunks, walked on two threads.
        List<Integer> progs = Collections.nCopies(8 * Inspector.CHUNK, progId), maps = Collections.nCopies(8 * Inspector.CHUNK, mapId);
        for (boolean json : new boolean[] {false, true}) {
            InspectCommand.write(sink, part(in, "prog", json, progs).out);
            InspectCommand.write(sink, part(in, "map", json, maps).out);
        }
        String p = String.valueOf(progId), m = String.valueOf(mapId);
        for (String[] args : new String[][] {{"inspect", "prog", p}, {"inspect", "prog", p, "--json"},
                {"inspect", "--json", "map", m}, {"inspect", "map", m}}) {
            for (int i = 0; i < 20; i++) run(args, sink, sink);
        }
    }

    /**
     * What InspectCommand and its prog, map and link subcommands print for the request. A
     * listing renders each object as it is walked (on both threads of a long one), into a part
     * per kind, so the objects' maps die young and the text costs no pass of its own.
     */
    static void render(Request r, Inspector in, StringBuilder o) {
        render(r, in, o, FastInspect::kernelIds);
    }

    /** The kernel's ids of a kind ("prog", "map", "link"), listed as the walk asks for them. */
    static IntSupplier kernelIds(String what) {
        return Inspector.ids(what.equals("prog") ? ObjectIds.Kind.PROG : what.equals("map") ? ObjectIds.Kind.MAP : ObjectIds.Kind.LINK);
    }

    /** {@link #render(Request, Inspector, StringBuilder)} of the objects whose ids {@code ids} gives per kind. */
    static void render(Request r, Inspector in, StringBuilder o, Function<String, IntSupplier> ids) {
        mark("inspector");
        boolean json = r.json();
        if (r.what() == null) {
            Part progs = part(in, "prog", json, ids.apply("prog")), maps = part(in, "map", json, ids.apply("map")),
                    links = part(in, "link", json, ids.apply("link"));
            mark("walked");
            summary(o, progs, maps, links, json);
            return;
        }
        if (r.id() == null) {
            Part all = part(in, r.what(), json, ids.apply(r.what()));
            mark("walked");
            if (json) o.append('[').append(all.out).append("]\n");
            else o.append(all.out);
            return;
        }
        Part one = new Part();
        add(one, r.what(), json, object(in, r.what()).apply(r.id()));
        mark("walked");
        if (json) o.append('[').append(one.out).append("]\n");
        else o.append(one.out);
    }

    /**
     * What {@code inspect} prints around each kind's rendered objects: a count line and the
     * objects, or one JSON object with the keys in this order. InspectCommand prints its
     * summary (with --details too) through this.
     */
    static void summary(StringBuilder o, Part progs, Part maps, Part links, boolean json) {
        if (json) {
            o.append("{\"programs\":[").append(progs.out).append("],\"maps\":[").append(maps.out)
                    .append("],\"links\":[").append(links.out).append("]}\n");
            return;
        }
        o.append(progs.count).append(" programs, ").append(maps.count).append(" maps, ").append(links.count).append(" links\n");
        if (progs.count == 0 && maps.count == 0 && links.count == 0) o.append(Text.NOTHING_LOADED);
        if (progs.count > 0) o.append("\nprograms:\n").append(progs.out);
        if (maps.count > 0) o.append("\nmaps:\n").append(maps.out);
        if (links.count > 0) o.append("\nlinks:\n").append(links.out);
    }

    /** These objects of one kind ("prog", "map", "link"), rendered. */
    static Part rendered(String what, boolean json, List<Map<String, Object>> objects) {
        Part p = new Part();
        for (Map<String, Object> m : objects) add(p, what, json, m);
        return p;
    }

    /** One kind's objects as printed: the text, or the elements of the JSON array, comma-separated. */
    static final class Part {
        final StringBuilder out = new StringBuilder(1 << 12);
        int count;
    }

    /** The objects of these ids, rendered. */
    static Part part(Inspector in, String what, boolean json, List<Integer> ids) {
        return part(in, what, json, Inspector.ids(ids));
    }

    private static Part part(Inspector in, String what, boolean json, IntSupplier ids) {
        List<Part> parts = in.walk(ids, false, object(in, what), Part::new, (p, m) -> add(p, what, json, m));
        if (parts.isEmpty()) return new Part();
        Part all = parts.getFirst();
        for (int i = 1; i < parts.size(); i++) {
            Part p = parts.get(i);
            if (json && all.count > 0 && p.count > 0) all.out.append(',');
            all.out.append(p.out);
            all.count += p.count;
        }
        return all;
    }

    static IntFunction<Map<String, Object>> object(Inspector in, String what) {
        return switch (what) {
            case "prog" -> id -> in.program(id, false);
            case "map" -> id -> in.map(id, false);
            default -> id -> in.link(id, false);
        };
    }

    static void add(Part p, String what, boolean json, Map<String, Object> m) {
        if (json) {
            if (p.count > 0) p.out.append(',');
            Json.write(p.out, m);
        } else {
            switch (what) {
                case "prog" -> Text.prog(p.out, m);
                case "map" -> Text.map(p.out, m);
                default -> Text.link(p.out, m);
            }
        }
        p.count++;
    }
}
