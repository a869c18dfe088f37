package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KernelChange;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Rule;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** A rule with a fixed command set and errno set; subclasses write only the predicate and the text. */
abstract class BaseRule implements Rule {
    private final String id;
    private final Set<BpfCommand> commands;
    private final Set<Integer> errnos;

    BaseRule(String id, Set<BpfCommand> commands, int... errnos) {
        this.id = id;
        this.commands = commands.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(commands));
        Set<Integer> e = new TreeSet<>();
        for (int x : errnos) e.add(x);
        this.errnos = Set.copyOf(e);
    }

    static Set<BpfCommand> on(BpfCommand... cmds) {
        return Set.of(cmds);
    }

    static final Set<BpfCommand> ANY = Set.of();

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Set<BpfCommand> commands() {
        return commands;
    }

    @Override
    public final Set<Integer> errnos() {
        return errnos;
    }

    @Override
    public final Optional<Cause> explain(Observation o) {
        if (!applies(o)) return Optional.empty();
        return Optional.ofNullable(check(o));
    }

    /** The cause, or null when the observation does not fit. Called only when command and errno fit. */
    abstract Cause check(Observation o);

    Cause cause(String text, String fix) {
        return new Cause(id, text, fix);
    }

    Cause cause(String text, String fix, KernelChange change, String since) {
        return new Cause(id, text, fix, change, since);
    }

    @Override
    public String toString() {
        return id + " " + getClass().getSimpleName();
    }

    /** {@code map 12 "progs" (BPF_MAP_TYPE_PROG_ARRAY)}. */
    static String name(ObjectSnapshot.MapObject m) {
        return "map " + m.id() + (m.name().isEmpty() ? "" : " \"" + m.name() + "\"") + " (" + m.typeName() + ")";
    }

    /** {@code prog 41 "k_tailcall" (BPF_PROG_TYPE_KPROBE)}. */
    static String name(ObjectSnapshot.ProgObject p) {
        return "prog " + p.id() + (p.name().isEmpty() ? "" : " \"" + p.name() + "\"") + " (" + p.typeName() + ")";
    }

    static String name(ObjectSnapshot o) {
        return switch (o) {
            case ObjectSnapshot.MapObject m -> name(m);
            case ObjectSnapshot.ProgObject p -> name(p);
            case ObjectSnapshot.LinkObject l -> l.describe();
            case ObjectSnapshot.BtfObject b -> b.describe();
            case ObjectSnapshot.OtherFile f -> f.path();
            case ObjectSnapshot.NotOpen n -> "fd " + n.fd() + " (not open)";
        };
    }

    /** What kind of object it is, for "is a ..., not a map". */
    static String kind(ObjectSnapshot o) {
        return switch (o) {
            case ObjectSnapshot.MapObject m -> "a map (" + m.typeName() + ")";
            case ObjectSnapshot.ProgObject p -> "a program (" + p.typeName() + ")";
            case ObjectSnapshot.LinkObject l -> "a link";
            case ObjectSnapshot.BtfObject b -> "a BTF object";
            case ObjectSnapshot.OtherFile f -> "not a BPF object (" + f.path() + ")";
            case ObjectSnapshot.NotOpen n -> "not open";
        };
    }

    static boolean isPowerOfTwo(long v) {
        return v > 0 && (v & (v - 1)) == 0;
    }
}
