package io.bpf4j.tools.scenario;

import java.util.List;
import java.util.Map;

/**
 * Everything one run of {@link TailcallInFreplace} observed, and the explanation derived from it
 * ({@link TailcallExplainer}). Values are what the kernel reported (bpf(2) info, fdinfo, errno),
 * never what its version suggests.
 *
 * @param kernel          the running kernel
 * @param steps           every step attempted, in order
 * @param programs        the four programs as the kernel describes them (those that loaded)
 * @param extension       the freplace program's target, or null if object two did not load
 * @param ownerAfterLoad  {@code progs}'s owner right after both objects loaded (fdinfo)
 * @param ownerAfterPut   its owner after step 3, or null when step 3 did not run
 * @param slots           occupied {@code progs} slots after step 3: index → program id
 * @param outcome         where the run ended
 * @param connections     loopback connections the run made itself ({@code --connect})
 * @param events          the events read, in arrival order
 * @param lost            samples the kernel dropped because a ring was full
 * @param explanation     the explanation, derived from the fields above
 * @param explained       whether a cause was identified for the outcome
 */
public record TailcallInFreplaceReport(KernelInfo kernel, List<Step> steps, List<Prog> programs, Extension extension,
                                       Owner ownerAfterLoad, Owner ownerAfterPut, Map<Integer, Integer> slots, Outcome outcome,
                                       List<Connection> connections, List<TcpEvent> events, long lost,
                                       List<Explanation> explanation, boolean explained) {

    public TailcallInFreplaceReport {
        steps = List.copyOf(steps);
        programs = List.copyOf(programs);
        slots = slots == null ? Map.of() : Map.copyOf(slots);
        connections = List.copyOf(connections);
        events = List.copyOf(events);
        explanation = List.copyOf(explanation);
    }

    /** Where a run ended. */
    public enum Outcome {
        /** Step 1: an object did not load. */
        LOAD_REFUSED("load refused"),
        /** Stopped (signal) before step 3. */
        STOPPED_BEFORE_PUT("stopped before put"),
        /** Step 3: the prog array update failed: the original story. */
        PUT_REFUSED("put refused"),
        /** Step 4: attaching the freplace program failed. */
        FREPLACE_ATTACH_REFUSED("freplace attach refused"),
        /** Step 5: a kprobe could not be attached. */
        KPROBE_ATTACH_REFUSED("kprobe attach refused"),
        /** Step 6 ran: events were read (see the counts). */
        RAN("ran");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * The kernel: {@code uname -r}, the distribution's package version from /proc/version (Debian
     * names 6.1.192 "6.1.0-56-amd64"), and net.core.bpf_jit_enable (null when unreadable).
     */
    public record KernelInfo(String release, String packageVersion, Integer jitEnable) {
        public String describe() {
            return release + (packageVersion == null ? "" : " (" + packageVersion + ")");
        }
    }

    /** A loaded program as bpf(2) reports it. */
    public record Prog(String name, int id, String type, boolean jited) {}

    /**
     * The freplace program and what it replaces, known before the extension is loaded.
     *
     * @param targetType the target program's type as the kernel reports it
     * @param btfId      the BTF id of {@code function} in the target's BTF
     * @param helpers    the helpers the extension calls, read from its instructions
     */
    public record Extension(String program, String type, String target, String targetType, String function, int btfId,
                            List<String> helpers) {
        public Extension {
            helpers = List.copyOf(helpers);
        }
    }

    /** A prog array owner from fdinfo: {@code type} null when no program has claimed the map yet. */
    public record Owner(String type, Boolean jited) {
        public String describe() {
            return type == null ? "no owner yet" : type + (Boolean.TRUE.equals(jited) ? " jited" : " not jited");
        }
    }

    /** One loopback connection: the client's ephemeral port and the listener's port. */
    public record Connection(int clientPort, int serverPort) {}

    /** Events from the kprobes that concern this run's own connections. */
    public long kprobeEvents() {
        return events.stream().filter(e -> !e.freplace() && ours(e)).count();
    }

    /** Events from the tail-called program that concern this run's own connections. */
    public long freplaceEvents() {
        return events.stream().filter(e -> e.freplace() && ours(e)).count();
    }

    /** Events about sockets this run did not create (other traffic on the machine). */
    public long otherEvents() {
        return events.stream().filter(e -> !ours(e)).count();
    }

    private boolean ours(TcpEvent e) {
        for (Connection c : connections) if (e.between(c.clientPort(), c.serverPort())) return true;
        return false;
    }

    /** The step that ended the run, if it failed. */
    public Step failedStep() {
        for (Step s : steps) if (!s.ok()) return s;
        return null;
    }

    public Prog program(String name) {
        for (Prog p : programs) if (p.name().equals(name)) return p;
        return null;
    }

    /** The explanation lines naming a kernel change the kernel behaved with or without. */
    public List<Explanation> causes() {
        return explanation.stream().filter(x -> x.state() == Explanation.ChangeState.ABSENT
                || x.state() == Explanation.ChangeState.PRESENT).toList();
    }
}
