package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.ObjectIds;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.tools.mapdump.MapDump;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bpf4j inspect map dump ID|id ID|name NAME|pinned PATH [--json] [--raw] [--depth N]}:
 * every entry of one map, as {@code bpftool map dump} prints it (see {@link MapDump}).
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print every entry of a map, keys and values formatted by its BTF (bpftool map dump's "
                + "text, or its -j JSON with --json). Prog array slots name their program, map-in-map "
                + "entries show the inner map's entries, ring buffers and perf event arrays their state, "
                + "queues and stacks their head.")
final class MapDumpCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..2", paramLabel = "ID|id ID|name NAME|pinned PATH",
            description = "The map: its id, its name (must match exactly one map) or a bpffs path.")
    List<String> target;

    @Option(names = "--json", description = "bpftool -j's JSON: \"key\"/\"value\" as hex bytes, \"formatted\" from BTF.")
    boolean json;

    @Option(names = "--raw", description = "Hex bytes only, even for maps with BTF.")
    boolean raw;

    @Option(names = "--depth", defaultValue = "3", paramLabel = "N",
            description = "Levels of inner maps of a map-in-map to dump (0: their ids only; default ${DEFAULT-VALUE}).")
    int depth;

    static final String NAME = "bpf4j inspect map dump";

    @Override
    public Integer call() {
        if (depth < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--depth must be 0 or more, not " + depth);
        // `inspect --json map dump 3`: Conventions gives the parents' --json to this command.
        try (BpfMap map = open()) {
            return dump(map, new MapDump.Options(json, raw, depth), System.out, System.err);
        }
    }

    /** Exit code of a dump cut short because its reader went away (| head): 128 + SIGPIPE, as bpftool's. */
    static final int CLOSED_OUTPUT = 141;

    static int dump(BpfMap map, MapDump.Options o, PrintStream out, PrintStream err) {
        try {
            new MapDump(MapDump.writer(out, o), o, note -> err.println(NAME + ": " + note)).dump(map);
            return 0;
        } catch (java.io.UncheckedIOException e) {
            if (out.checkError()) return CLOSED_OUTPUT; // nobody reads: stop quietly, as bpftool dies of SIGPIPE
            throw e;
        }
    }

    /**
     * {@code inspect map dump ID|id ID|name NAME|pinned PATH [--json] [--raw]} without picocli
     * (see {@link FastInspect}: its classes cost a cold JVM ~0.2 s). Returns the exit code, or -1
     * when the arguments are not exactly such a form (then picocli parses them and reports
     * mistakes). Prints what the picocli path prints (MapDumpFastPathTest).
     */
    static int fast(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 4 || !args[0].equals("inspect") || !args[1].equals("map") || !args[2].equals("dump")) return -1;
        boolean json = false, raw = false;
        List<String> target = new ArrayList<>(2);
        for (int i = 3; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json") && !json) json = true;
            else if (a.equals("--raw") && !raw) raw = true;
            else if (a.startsWith("-") || target.size() == 2) return -1;
            else target.add(a);
        }
        boolean ok = target.size() == 1 ? isId(target.get(0))
                : target.size() == 2 && switch (target.get(0)) {
                    case "id" -> isId(target.get(1));
                    case "name", "pinned" -> true;
                    default -> false;
                };
        if (!ok) return -1;
        try (BpfMap map = open(target)) {
            return dump(map, new MapDump.Options(json, raw, 3), out, err);
        } catch (Exception e) {
            err.println(NAME + ": " + io.bpf4j.cli.support.Errors.message(e));
            if ("1".equals(System.getenv("BPF4J_DEBUG"))) e.printStackTrace(err);
            return 1;
        }
    }

    /** A target whose form {@link #fast} checked. */
    private static BpfMap open(List<String> t) {
        if (t.size() == 1) return BpfMap.fromId(Integer.parseUnsignedInt(t.get(0)));
        return switch (t.get(0)) {
            case "id" -> BpfMap.fromId(Integer.parseUnsignedInt(t.get(1)));
            case "name" -> byName(t.get(1));
            default -> pinned(t.get(1));
        };
    }

    /** The map the arguments name; a failure is one line that says which argument is wrong. */
    private BpfMap open() {
        String a = target.get(0);
        if (target.size() == 1) {
            if (isId(a)) return BpfMap.fromId(Integer.parseUnsignedInt(a));
            throw usage("'" + a + "' is not a map id: give ID, id ID, name NAME or pinned PATH");
        }
        String b = target.get(1);
        return switch (a) {
            case "id" -> {
                if (!isId(b)) throw usage("'" + b + "' is not a map id");
                yield BpfMap.fromId(Integer.parseUnsignedInt(b));
            }
            case "name" -> byName(b);
            case "pinned" -> pinned(b);
            default -> throw usage("expected id, name or pinned before '" + b + "', not '" + a + "'");
        };
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }

    /** 1 to 4294967295 in decimal: map ids are u32. */
    static boolean isId(String s) {
        if (s.isEmpty() || s.length() > 10 || s.charAt(0) == '0') return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return Long.parseLong(s) <= 0xffffffffL;
    }

    /** The one map of this name; none or several is a failure (bpftool dumps them all). */
    static BpfMap byName(String name) {
        List<Integer> ids = new ArrayList<>();
        for (int id : ObjectIds.all(ObjectIds.Kind.MAP)) {
            try (BpfMap m = BpfMap.fromId(id)) {
                if (m.info().name().equals(name)) ids.add(id);
            } catch (BpfException e) {
                if (e.errno() != Errno.ENOENT) throw e; // gone since listed
            }
        }
        if (ids.isEmpty()) throw new BpfException("no map named '" + name + "'");
        if (ids.size() > 1) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(sb.isEmpty() ? "" : ", ").append(Integer.toUnsignedString(id));
            throw new BpfException(ids.size() + " maps are named '" + name + "' (ids " + sb + "): give one id");
        }
        return BpfMap.fromId(ids.getFirst());
    }

    static BpfMap pinned(String path) {
        Path p = Path.of(path);
        if (Files.notExists(p)) throw new BpfException(path + ": no such file");
        if (!Files.exists(p)) throw new BpfException(path + ": permission denied (bpffs is usually root's alone)");
        if (Files.isDirectory(p)) throw new BpfException(path + " is a directory, not a pinned map");
        try {
            return BpfMap.pinned(path);
        } catch (BpfException e) {
            // BPF_OBJ_GET refuses a file that is not a bpffs inode with EACCES (bpf_inode_type).
            if (e.errno() == Errno.EACCES && Files.isReadable(p))
                throw new BpfException(path + " is not a pinned BPF object (not a file on bpffs)");
            throw e;
        }
    }
}
