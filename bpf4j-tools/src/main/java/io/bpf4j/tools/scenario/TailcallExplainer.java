package io.bpf4j.tools.scenario;

import io.bpf4j.explain.KnownChanges;
import io.bpf4j.tools.scenario.Explanation.ChangeState;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Extension;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Owner;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Prog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns what a tailcall-in-freplace run observed into its explanation. Pure: it reads only the
 * report's observations (owner types from fdinfo, program types from bpf(2), errnos, events),
 * never the kernel version, so it is tested with made-up observations and trusted on real ones.
 * The known changes come from {@link KnownChanges}, shared with {@code bpf4j check tailcall}.
 */
public final class TailcallExplainer {
    private TailcallExplainer() {}

    static final String EXT = "BPF_PROG_TYPE_EXT";

    /** The explanation lines, and whether a cause was found for the outcome. */
    public record Result(List<Explanation> lines, boolean explained) {}

    public static Result explain(TailcallInFreplaceReport r) {
        List<Explanation> out = new ArrayList<>();
        var k = r.kernel();
        out.add(Explanation.fact("kernel", k.describe() + ", bpf_jit_enable " + (k.jitEnable() == null ? "unknown" : k.jitEnable())));
        if (!r.programs().isEmpty()) {
            List<String> ps = new ArrayList<>();
            for (Prog p : r.programs()) ps.add(p.name() + " " + p.type() + (p.jited() ? "" : " (not jited)"));
            out.add(Explanation.fact("programs", String.join(", ", ps)));
        }
        Extension x = r.extension();
        if (x != null)
            out.add(Explanation.fact("extension", x.program() + " (" + x.type() + ") replaces " + x.function() + " of "
                    + x.target() + ", a " + x.targetType() + " program"));
        if (r.ownerAfterLoad() != null)
            out.add(Explanation.fact("owner", "progs after loading: " + r.ownerAfterLoad().describe() + " (fdinfo owner_prog_type, owner_jited)"));
        boolean explained = switch (r.outcome()) {
            case LOAD_REFUSED -> loadRefused(r, out);
            case STOPPED_BEFORE_PUT -> {
                out.add(Explanation.fact("result", "stopped before the prog array update: nothing to explain beyond the owner above"));
                yield true;
            }
            case PUT_REFUSED -> putRefused(r, out);
            case FREPLACE_ATTACH_REFUSED -> putAccepted(r, out) & attachRefused(r, out);
            case KPROBE_ATTACH_REFUSED -> putAccepted(r, out) & kprobeRefused(r, out);
            case RAN -> putAccepted(r, out) & ran(r, out);
        };
        return new Result(out, explained);
    }

    private static boolean loadRefused(TailcallInFreplaceReport r, List<Explanation> out) {
        Step s = r.failedStep();
        String log = String.join("\n", s.log());
        out.add(Explanation.fact("result", s.action() + ": " + s.message()));
        if (!s.log().isEmpty()) out.add(Explanation.fact("verifier", String.join(" | ", s.log())));
        if ("EPERM".equals(s.errno())) {
            out.add(Explanation.fact("cause", "refused before verification (EPERM): this kernel or its policy does not allow this "
                    + "program type for this process (privileges, lockdown, host policy); not a kernel change"));
            return true;
        }
        if (s.action().contains("tailcall_freplace") && "EINVAL".equals(s.errno()) && s.log().isEmpty()) {
            out.add(new Explanation("cause", "the kernel rejected the program type itself (EINVAL without a verifier log)",
                    KnownChanges.FREPLACE_INTRODUCED, ChangeState.ABSENT));
            return true;
        }
        if (log.contains(CHANGES_PKT_DATA)) {
            Extension x = r.extension();
            String ext = x == null ? "the extension" : x.program();
            out.add(new Explanation("cause", "the verifier compares what an extension may do with what the function it replaces "
                    + "may do: " + ext + " changes packet data, " + (x == null ? "the replaced function" : x.function()) + " does not ("
                    + CHANGES_PKT_DATA + ")", KnownChanges.EXT_CHANGES_PKT_DATA, ChangeState.PRESENT));
            if (x != null && x.helpers().contains("bpf_tail_call")) {
                out.add(new Explanation("cause", ext + " calls " + String.join(", ", x.helpers()) + "; a tail call counts as changing "
                        + "packet data (the callee might), whatever the program type: the story's extension, a tail call in place of "
                        + "a kprobe's stub, cannot load on this kernel", KnownChanges.TAILCALL_CHANGES_PKT_DATA, ChangeState.PRESENT));
            }
            return true;
        }
        for (String[] rule : ATTACH_RULES) {
            if (log.contains(rule[0])) {
                out.add(Explanation.fact("cause", "the verifier's freplace attach rule \"" + rule[0] + "\": " + rule[1]));
                return true;
            }
        }
        out.add(Explanation.fact("cause", "not identified: no known change explains this load failure; see the verifier log"));
        return false;
    }

    static final String CHANGES_PKT_DATA = "Extension program changes packet data, while original does not";

    /** bpf_check_attach_target() messages (kernel-facts.md §4): freplace rules that hold on every kernel. */
    private static final String[][] ATTACH_RULES = {
        {"Cannot replace static functions", "stub_handler must be global"},
        {"Extension programs should be JITed", "the JIT is off (net.core.bpf_jit_enable)"},
        {"Can attach to only JITed progs", "the target was not JITed"},
        {"Cannot recursively attach", "an extension cannot extend an extension"},
    };

    private static Prog tailcallee(TailcallInFreplaceReport r) {
        return r.program("k_tailcall");
    }

    private static boolean putRefused(TailcallInFreplaceReport r, List<Explanation> out) {
        Step s = r.failedStep();
        Owner o = r.ownerAfterLoad();
        Prog callee = tailcallee(r);
        Extension x = r.extension();
        out.add(Explanation.fact("result", "Failed to put tailcall: " + s.message() + " (" + s.errno() + ")"));
        if (callee == null || o == null) {
            out.add(Explanation.fact("cause", "not identified: the tail callee or the owner was not observed"));
            return false;
        }
        if ("EINVAL".equals(s.errno()) && EXT.equals(o.type()) && !EXT.equals(callee.type())) {
            out.add(new Explanation("cause", "loading " + (x == null ? "the extension" : x.program()) + ", which tail-calls through progs, made "
                    + "the extension's own type " + EXT + " the owner instead of its target's type "
                    + (x == null ? "" : x.targetType()) + "; " + callee.name() + " is " + callee.type()
                    + ", so the owner check refuses it", KnownChanges.RESOLVE_FEXT_TYPE, ChangeState.ABSENT));
            return true;
        }
        if ("EINVAL".equals(s.errno()) && o.type() != null && !Objects.equals(o.jited(), callee.jited())) {
            out.add(Explanation.fact("cause", "the owner is " + o.describe() + " but " + callee.name() + " is "
                    + (callee.jited() ? "jited" : "not jited") + ": the JIT flag must match (net.core.bpf_jit_enable changed)"));
            return true;
        }
        if ("EINVAL".equals(s.errno()) && o.type() != null && !o.type().equals(callee.type())) {
            out.add(Explanation.fact("cause", "the owner type " + o.type() + " differs from " + callee.name() + "'s type " + callee.type()));
            return true;
        }
        if ("EINVAL".equals(s.errno()) && EXT.equals(callee.type())) {
            out.add(new Explanation("cause", callee.name() + " is an extension: extensions can never be tail callees",
                    KnownChanges.FREPLACE_TAILCALL_LOOP, ChangeState.PRESENT));
            return true;
        }
        out.add(Explanation.fact("cause", "not identified: the owner (" + o.describe() + ") matches " + callee.name()
                + "'s type and JIT flag; the kernel compares more fields (xdp_has_frags, expected_attach_type "
                + KnownChanges.EXPECTED_ATTACH_TYPE.shortId() + ", sleepable, cgroup storage) that fdinfo does not show"));
        return false;
    }

    /** Step 3 succeeded: why, and why the other known freplace/tail-call changes did not matter. */
    private static boolean putAccepted(TailcallInFreplaceReport r, List<Explanation> out) {
        Owner o = r.ownerAfterPut() != null ? r.ownerAfterPut() : r.ownerAfterLoad();
        Prog callee = tailcallee(r);
        Extension x = r.extension();
        boolean ok;
        if (o != null && o.type() != null && x != null && o.type().equals(x.targetType()) && !EXT.equals(o.type())) {
            out.add(new Explanation("put", callee.name() + " (" + callee.type() + ") went into progs[0]: loading " + x.program()
                    + " made its target's type " + o.type() + " the owner, not " + EXT, KnownChanges.RESOLVE_FEXT_TYPE, ChangeState.PRESENT));
            ok = true;
        } else {
            out.add(Explanation.fact("put", "k_tailcall went into progs[0] with owner " + (o == null ? "unknown" : o.describe())
                    + "; not identified how that matches"));
            ok = false;
        }
        String ownerType = o == null ? null : o.type();
        if (ownerType != null && !List.of("BPF_PROG_TYPE_TRACING", "BPF_PROG_TYPE_LSM", EXT, "BPF_PROG_TYPE_STRUCT_OPS").contains(ownerType))
            out.add(new Explanation("context", "the attach_func_proto comparison only applies to owners of type TRACING, LSM, EXT or "
                    + "STRUCT_OPS; progs's owner is " + ownerType, KnownChanges.CROSS_HOOK_TAILCALL, ChangeState.NOT_INVOLVED));
        boolean targetsInArray = r.programs().stream().anyMatch(p -> p.name().startsWith("k_tcp") || p.name().startsWith("k_icsk")
                ? r.slots().containsValue(p.id()) : false);
        if (!targetsInArray)
            out.add(new Explanation("context", "progs holds " + (r.slots().isEmpty() ? "nothing" : "only prog " + r.slots().values())
                    + ": neither an extension nor an extended program is a tail callee, and the extension's targets are no "
                    + "prog array members, so its restrictions do not fire", KnownChanges.FREPLACE_TAILCALL_LOOP, ChangeState.NOT_INVOLVED));
        out.add(new Explanation("context", "the extension is never put in a prog array after it is attached",
                KnownChanges.UPDATE_ATTACHED_FREPLACE, ChangeState.NOT_INVOLVED));
        return ok;
    }

    private static boolean attachRefused(TailcallInFreplaceReport r, List<Explanation> out) {
        Step s = r.failedStep();
        out.add(Explanation.fact("result", s.action() + ": " + s.message()));
        String target = s.action().substring(s.action().lastIndexOf(' ') + 1);
        Prog t = r.program(target);
        if ("EBUSY".equals(s.errno()) && t != null && r.slots().containsValue(t.id())) {
            out.add(new Explanation("cause", target + " is a member of progs, and a prog array member cannot be extended",
                    KnownChanges.FREPLACE_TAILCALL_LOOP, ChangeState.PRESENT));
            return true;
        }
        out.add(Explanation.fact("cause", "not identified: no known change refuses this attach with " + s.errno()));
        return false;
    }

    private static boolean kprobeRefused(TailcallInFreplaceReport r, List<Explanation> out) {
        Step s = r.failedStep();
        out.add(Explanation.fact("result", s.action() + ": " + s.message()));
        if ("ENOENT".equals(s.errno()) || "EINVAL".equals(s.errno())) {
            out.add(Explanation.fact("cause", "the function cannot be probed on this kernel (absent, inlined or blacklisted); not a BPF change"));
            return true;
        }
        out.add(Explanation.fact("cause", "not identified"));
        return false;
    }

    private static boolean ran(TailcallInFreplaceReport r, List<Explanation> out) {
        long kp = r.kprobeEvents(), fr = r.freplaceEvents();
        int n = r.connections().size();
        String counts = kp + " kprobe and " + fr + " freplace events for " + n + " connection" + (n == 1 ? "" : "s")
                + (r.otherEvents() > 0 ? " (" + r.otherEvents() + " events of other sockets not counted)" : "")
                + (r.lost() > 0 ? ", " + r.lost() + " lost" : "");
        if (n == 0) {
            out.add(Explanation.fact("events", r.events().size() + " events, no connections of its own"));
            if (r.events().isEmpty()) {
                out.add(Explanation.fact("result", "no TCP connection was made while attached, so nothing ran; --connect N makes some"));
                return true;
            }
            long f = r.events().stream().filter(TcpEvent::freplace).count();
            boolean same = f == r.events().size() - f;
            out.add(Explanation.fact("result", same ? "every kprobe event was followed by the tail-called program's event"
                    : "kprobe and freplace events differ in number; run with --connect N to count them against known connections"));
            return same;
        }
        long expected = 2L * n; // tcp_connect on the client socket, inet_csk_complete_hashdance on the accepted child
        out.add(Explanation.fact("events", counts + "; expected " + expected + " of each"));
        if (kp >= expected && fr == kp) {
            out.add(Explanation.fact("result", "each kprobe hit called stub_handler, which ran the extension, whose tail call "
                    + "reached k_tailcall: the story's program works on this kernel"));
            return true;
        }
        if (kp < expected) {
            out.add(Explanation.fact("result", "the kprobes fired " + kp + " times for " + n + " connections; not identified why fewer"));
            return false;
        }
        out.add(Explanation.fact("result", "the kprobes fired but the tail call from the extension reached k_tailcall only "
                + fr + " of " + kp + " times; not identified"));
        return false;
    }

    /** One line for the end of a text run and for {@code bpf4j matrix}'s last-line column. */
    public static String summary(TailcallInFreplaceReport r) {
        StringBuilder sb = new StringBuilder("tailcall-in-freplace: ");
        Step f = r.failedStep();
        switch (r.outcome()) {
            case RAN -> sb.append("ran, ").append(r.kprobeEvents()).append(" kprobe + ").append(r.freplaceEvents()).append(" freplace events");
            case STOPPED_BEFORE_PUT -> sb.append("stopped before put");
            default -> sb.append(r.outcome().label()).append(f == null || f.errno().isEmpty() ? "" : " " + f.errno());
        }
        if (r.ownerAfterLoad() != null) sb.append(", owner ").append(r.ownerAfterLoad().type() == null ? "none" : r.ownerAfterLoad().type());
        List<String> causes = new ArrayList<>();
        for (Explanation x : r.causes()) causes.add(x.change().shortId() + " " + x.state().label());
        if (!causes.isEmpty()) sb.append(": ").append(String.join(", ", causes));
        if (!r.explained()) sb.append(" (unexplained)");
        return sb.toString();
    }
}
