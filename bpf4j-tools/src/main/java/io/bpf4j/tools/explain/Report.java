package io.bpf4j.tools.explain;

import io.bpf4j.explain.AttrField;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.KernelChange;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.VerifierReport;
import io.bpf4j.internal.json.Json;
import io.bpf4j.internal.sys.Errno;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How explain prints a call: strace's line (with what strace leaves out: the objects behind the
 * fds), then what it found and the cause; or one JSON object per call.
 */
public final class Report {
    private Report() {}

    /** {@code = -1 EINVAL (invalid argument)} or {@code = 3}. */
    static String result(CallEvent e) {
        return e.failed() ? "= -1 " + Errno.name(e.errno()) + " (" + Errno.message(e.errno()) + ")" : "= " + e.ret();
    }

    static String who(CallEvent e, String comm) {
        return "[pid " + e.tgid() + (e.tid() != e.tgid() ? " tid " + e.tid() : "") + (comm.isEmpty() ? "" : " " + comm) + "] ";
    }

    /** A successful call, for --all: one line. */
    public static String passed(CallEvent e, String comm) {
        return "explain: " + who(e, comm) + e.call() + " " + result(e) + "\n";
    }

    /** A failed call: the call, what its fds named, the verifier's reason, the cause and fix, the kernel chain. */
    public static String text(FailedCall f) {
        Observation o = f.observation();
        BpfCall call = o.call();
        StringBuilder sb = new StringBuilder();
        sb.append("explain: ").append(who(f.event(), f.comm())).append(call.render(field -> annotate(o, field)))
                .append(' ').append(result(f.event())).append('\n');
        if (!f.stopped()) sb.append("  (the thread could not be stopped at the failure: what follows is from later)\n");
        for (Map.Entry<String, ObjectSnapshot> e : o.objects().entrySet())
            sb.append("  ").append(role(e.getKey())).append(": ").append(e.getValue().describe()).append('\n');
        memory(o, sb);
        for (Map.Entry<Fact, Object> e : o.facts().entrySet())
            sb.append("  ").append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append(": ")
                    .append("".equals(e.getValue()) ? "(missing)" : e.getValue()).append('\n');
        VerifierReport v = o.verifier();
        if (v != null) {
            String from = v.rerun() ? "verifier (re-run with log_level 1; the loader asked for no log)" : "verifier log";
            if (v.clean()) sb.append("  ").append(from).append(": no error line (the program passed verification)\n");
            else sb.append("  ").append(from).append(": ").append(v.reason()).append('\n');
            if (v.insnIndex() >= 0)
                sb.append("    at insn ").append(v.insnIndex()).append(": ").append(v.instruction() != null ? v.instruction() : v.insnLine()).append('\n');
            if (v.rerun() && v.rerunErrno() == 0) sb.append("    (the program loaded when explain loaded it: capabilities or objects differ)\n");
        }
        if (f.causes().isEmpty()) {
            sb.append("  cause: no rule fits; everything explain saw is above\n");
        } else {
            Cause c = f.causes().getFirst();
            sb.append("  cause (").append(c.rule()).append("): ").append(c.text()).append('\n');
            sb.append("  fix: ").append(c.fix()).append('\n');
            if (c.change() != null) sb.append("  kernel: ").append(change(c.change(), c.since())).append('\n');
            for (int i = 1; i < f.causes().size(); i++)
                sb.append("  also fits (").append(f.causes().get(i).rule()).append("): ").append(f.causes().get(i).text()).append('\n');
        }
        if (!f.chain().isEmpty()) {
            sb.append("  kernel chain:\n");
            for (String l : f.chain()) sb.append("    ").append(l).append('\n');
        }
        return sb.toString();
    }

    static String change(KernelChange c, String since) {
        return c.shortId() + " \"" + c.title() + "\" (" + c.versions() + ")" + (since != null ? "; " + since : "");
    }

    static String role(String r) {
        if (r.startsWith("insn_map:")) return "insn " + r.substring(9) + " map";
        return r.equals("value") ? "value (fd)" : r;
    }

    /** {@code <map 12 "progs">} after an fd field the observation resolved. */
    static String annotate(Observation o, AttrField f) {
        ObjectSnapshot s = o.objects().get(f.name());
        if (s == null || (f.kind() != AttrField.Kind.FD && f.kind() != AttrField.Kind.OPT_FD && f.kind() != AttrField.Kind.TARGET)) return null;
        return switch (s) {
            case ObjectSnapshot.MapObject m -> "<map " + m.id() + (m.name().isEmpty() ? "" : " \"" + m.name() + "\"") + ">";
            case ObjectSnapshot.ProgObject p -> "<prog " + p.id() + (p.name().isEmpty() ? "" : " \"" + p.name() + "\"") + ">";
            case ObjectSnapshot.LinkObject l -> "<link " + l.id() + ">";
            case ObjectSnapshot.BtfObject b -> "<btf " + b.id() + ">";
            case ObjectSnapshot.OtherFile x -> "<" + x.path() + ">";
            case ObjectSnapshot.NotOpen n -> "<not open>";
        };
    }

    static void memory(Observation o, StringBuilder sb) {
        for (Map.Entry<String, byte[]> e : o.memory().entrySet()) {
            String k = e.getKey();
            byte[] b = e.getValue();
            if (k.equals("insns")) {
                sb.append("  insns: ").append(b.length / 8).append(" instructions read\n");
            } else if (k.equals("license") || k.equals("pathname") || k.equals("name")) {
                sb.append("  ").append(k).append(": ").append(BpfCall.quote(b)).append('\n');
            } else {
                String hex = HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(b.length, 32));
                sb.append("  ").append(k).append(": ").append(hex).append(b.length > 32 ? " ..." : "");
                if (b.length >= 4 && (k.equals("key") || k.equals("value")))
                    sb.append(" (u32 ").append(Integer.toUnsignedString(o.u32At(k).orElse(0))).append(')');
                sb.append('\n');
            }
        }
        for (String u : o.unreadable()) sb.append("  ").append(u).append(": not readable\n");
    }

    /** One JSON object for a failed call. */
    public static String json(FailedCall f) {
        Map<String, Object> m = base(f.event(), f.comm());
        Observation o = f.observation();
        m.put("stopped", f.stopped());
        Map<String, Object> objs = new LinkedHashMap<>();
        for (Map.Entry<String, ObjectSnapshot> e : o.objects().entrySet()) objs.put(e.getKey(), object(e.getValue()));
        m.put("objects", objs);
        Map<String, Object> mem = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : o.memory().entrySet())
            mem.put(e.getKey(), e.getKey().equals("insns") ? e.getValue().length / 8 + " instructions" : HexFormat.of().formatHex(e.getValue()));
        if (!mem.isEmpty()) m.put("memory", mem);
        if (!o.unreadable().isEmpty()) m.put("unreadable", new ArrayList<>(o.unreadable()));
        if (!o.facts().isEmpty()) {
            Map<String, Object> facts = new LinkedHashMap<>();
            for (Map.Entry<Fact, Object> e : o.facts().entrySet()) facts.put(e.getKey().name().toLowerCase(java.util.Locale.ROOT), e.getValue());
            m.put("facts", facts);
        }
        VerifierReport v = o.verifier();
        if (v != null) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("rerun", v.rerun());
            if (v.rerun()) vm.put("rerun_errno", v.rerunErrno() == 0 ? "" : Errno.name(v.rerunErrno()));
            vm.put("reason", v.reason());
            vm.put("insn", v.insnIndex());
            if (v.instruction() != null) vm.put("instruction", v.instruction());
            vm.put("clean", v.clean());
            m.put("verifier", vm);
        }
        List<Object> causes = new ArrayList<>();
        for (Cause c : f.causes()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("rule", c.rule());
            cm.put("cause", c.text());
            cm.put("fix", c.fix());
            if (c.change() != null) {
                cm.put("commit", c.change().shortId());
                cm.put("commit_title", c.change().title());
                cm.put("versions", c.change().versions());
            }
            if (c.since() != null) cm.put("since", c.since());
            causes.add(cm);
        }
        m.put("causes", causes);
        if (!f.chain().isEmpty()) m.put("kernel_chain", f.chain());
        return Json.write(m) + "\n";
    }

    /** One JSON object for a call that succeeded (--all --json). */
    public static String json(CallEvent e, String comm) {
        return Json.write(base(e, comm)) + "\n";
    }

    static Map<String, Object> base(CallEvent e, String comm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", e.tgid());
        m.put("tid", e.tid());
        m.put("comm", comm);
        BpfCall call = e.call();
        m.put("command", call.commandName());
        m.put("size", call.size());
        Map<String, Object> fields = new LinkedHashMap<>();
        for (AttrField f : io.bpf4j.explain.AttrLayouts.of(call.command())) {
            if (!call.covers(f.name())) continue;
            if (f.kind() == AttrField.Kind.NAME) fields.put(f.name(), call.name(f.name()));
            else if (f.shownIfZero() || call.get(f.name()) != 0) fields.put(f.name(), call.get(f.name()));
        }
        m.put("attr", fields);
        m.put("call", call.toString());
        m.put("result", e.ret());
        m.put("errno", e.failed() ? Errno.name(e.errno()) : "");
        return m;
    }

    static Map<String, Object> object(ObjectSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fd", s.fd());
        switch (s) {
            case ObjectSnapshot.MapObject x -> {
                m.put("kind", "map");
                m.put("id", x.id());
                m.put("name", x.name());
                m.put("type", x.typeName());
                m.put("key_size", x.keySize());
                m.put("value_size", x.valueSize());
                m.put("max_entries", x.maxEntries());
                m.put("flags", x.flags());
                if (x.owned()) {
                    m.put("owner_prog_type", io.bpf4j.ProgType.nameOf(x.ownerProgType()));
                    m.put("owner_jited", x.ownerJited());
                }
                m.put("frozen", x.frozen());
            }
            case ObjectSnapshot.ProgObject x -> {
                m.put("kind", "prog");
                m.put("id", x.id());
                m.put("name", x.name());
                m.put("type", x.typeName());
                m.put("jited", x.jited());
                m.put("tag", x.tag());
            }
            case ObjectSnapshot.LinkObject x -> {
                m.put("kind", "link");
                m.put("id", x.id());
                m.put("prog_id", x.progId());
                m.put("target", x.target());
            }
            case ObjectSnapshot.BtfObject x -> {
                m.put("kind", "btf");
                m.put("id", x.id());
            }
            case ObjectSnapshot.OtherFile x -> {
                m.put("kind", "file");
                m.put("path", x.path());
                m.put("fs", x.fsType());
            }
            case ObjectSnapshot.NotOpen x -> m.put("kind", "not open");
        }
        return m;
    }
}
