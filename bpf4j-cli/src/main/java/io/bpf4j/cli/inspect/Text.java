package io.bpf4j.cli.inspect;

import java.util.List;
import java.util.Map;

/** bpftool-style text for inspected objects, with the kernel's enum names (drgn style). */
final class Text {
    private Text() {}

    /**
     * What {@code inspect} adds to "0 programs, 0 maps, 0 links" (text only, picocli and fast
     * path alike): where a newcomer goes next, on this kernel and in the lab.
     */
    static final String NOTHING_LOADED = """
            Nothing is loaded. Try: bpf4j check tailcall (probes this kernel for known tail-call issues),
            or the story on a 5.10 kernel: bpf4j vm run --kernel 5.10 -- ./bpf4j scenario tailcall-in-freplace
            """;

    // Every line is appended to one StringBuilder, no string concatenation or printf on the
    // per-object lines: on a cold JVM each concatenation site is an invokedynamic call running
    // interpreted method handles, and inspect prints thousands of lines before the JIT has
    // compiled anything (issue 2, bench/inspect).

    static void prog(StringBuilder o, Map<String, Object> p) {
        o.append(p.get("id")).append(": ").append(p.get("type")).append("  name ").append(p.get("name"))
                .append("  tag ").append(p.get("tag"));
        if (Boolean.TRUE.equals(p.get("gpl_compatible"))) o.append("  gpl");
        o.append('\n');
        Object full = p.get("full_name");
        if (full != null) o.append("\tfull_name ").append(full).append('\n');
        o.append("\tloaded_at ").append(p.get("loaded_at")).append("  uid ").append(p.get("uid")).append('\n');
        o.append("\txlated ").append(p.get("xlated_bytes")).append('B');
        if (Boolean.TRUE.equals(p.get("jited"))) o.append("  jited ").append(p.get("jited_bytes")).append('B');
        else o.append("  not jited");
        Object memlock = p.get("memlock_bytes");
        if (memlock != null) o.append("  memlock ").append(memlock).append('B');
        int[] maps = (int[]) p.get("map_ids");
        if (maps != null && maps.length > 0) {
            o.append("  map_ids ");
            for (int i = 0; i < maps.length; i++) {
                if (i > 0) o.append(',');
                o.append(maps[i]);
            }
        }
        o.append('\n');
        Object btf = p.get("btf_id");
        if (btf != null) o.append("\tbtf_id ").append(btf).append('\n');
        if (p.containsKey("run_cnt"))
            o.append("\trun_cnt ").append(p.get("run_cnt")).append("  run_time_ns ").append(p.get("run_time_ns")).append('\n');
        if (p.containsKey("ksym"))
            o.append("\tksym ").append(p.get("ksym")).append("  address ").append(p.getOrDefault("address", "-")).append('\n');
        for (Map<String, Object> u : list(p.get("used_maps")))
            o.append("\tused map ").append(u.get("id")).append(": ").append(u.getOrDefault("type", "?")).append(' ')
                    .append(u.getOrDefault("name", "")).append('\n');
        for (Map<String, Object> s : list(p.get("subprograms")))
            o.append("\tfunc[").append(s.get("index")).append("]: ").append(s.getOrDefault("ksym", s.getOrDefault("name", "")))
                    .append("  ").append(s.getOrDefault("address", "-")).append('\n');
        if (p.get("kcore") instanceof Map<?, ?> k) kcoreProg(o, k);
        if (p.get("attach_target") instanceof Map<?, ?> t)
            o.append("\tattach_target btf_obj_id ").append(t.get("btf_obj_id")).append("  btf_id ").append(t.get("btf_id"))
                    .append(t.containsKey("func") ? "  func " + t.get("func") : "").append('\n');
    }

    static void map(StringBuilder o, Map<String, Object> m) {
        o.append(m.get("id")).append(": ").append(m.get("type")).append("  name ").append(m.get("name"))
                .append("  flags ").append(m.get("flags")).append('\n');
        o.append("\tkey ").append(m.get("key_size")).append("B  value ").append(m.get("value_size"))
                .append("B  max_entries ").append(m.get("max_entries"));
        Object memlock = m.get("memlock_bytes");
        if (memlock != null) o.append("  memlock ").append(memlock).append('B');
        Object btf = m.get("btf_id");
        if (btf != null) o.append("  btf_id ").append(btf);
        if (Boolean.TRUE.equals(m.get("frozen"))) o.append("  frozen");
        o.append('\n');
        if (m.get("owner") instanceof Map<?, ?> ow)
            o.append("\towner bpf prog: ").append(ow.get("prog_type")).append(" jited:")
                    .append(Boolean.TRUE.equals(ow.get("jited")) ? "True" : "False").append('\n');
        else if ("BPF_MAP_TYPE_PROG_ARRAY".equals(m.get("type")))
            o.append("\towner bpf prog: none (no program has used this map yet)\n");
        for (Map<String, Object> s : list(m.get("slots")))
            o.append("\tprogs[").append(s.get("index")).append("]: id ").append(s.get("prog_id")).append("  ").append(s.get("type"))
                    .append("  ").append(s.getOrDefault("name", "")).append("  ").append(s.getOrDefault("ksym", ""))
                    .append("  ").append(s.getOrDefault("address", "-")).append('\n');
        if (m.get("kcore") instanceof Map<?, ?> k) {
            if (k.containsKey("error")) {
                o.append("\tkcore: ").append(k.get("error")).append('\n');
            } else {
                if (k.get("owner") instanceof Map<?, ?> ow)
                    o.append("\tkcore owner (").append(ow.get("source")).append("): ").append(ow.get("prog_type")).append(" jited:")
                            .append(Boolean.TRUE.equals(ow.get("jited")) ? "True" : "False").append("  (")
                            .append(fields(ow.get("fields"))).append(")\n");
                else
                    o.append("\tkcore owner: none\n");
                for (Map<String, Object> s : list(k.get("slots")))
                    o.append("\tkcore ptrs[").append(s.get("index")).append("]: id ").append(s.get("id")).append("  ")
                            .append(s.get("type")).append("  ").append(s.get("name")).append('\n');
                for (Map<String, Object> p : list(k.get("poke_progs")))
                    o.append("\tkcore poke: id ").append(p.get("id")).append("  ").append(p.get("type")).append("  ")
                            .append(p.get("name")).append('\n');
            }
        }
    }

    /** Kernel-memory facts of a program, each line tagged with where it came from. */
    static void kcoreProg(StringBuilder o, Map<?, ?> k) {
        if (k.containsKey("error")) {
            o.append("\tkcore: ").append(k.get("error")).append('\n');
            return;
        }
        StringBuilder sb = new StringBuilder("\tkcore:");
        // expected_attach_type 0 reads as BPF_CGROUP_INET_INGRESS: only meaningful for cgroup programs.
        Object eat = k.get("expected_attach_type");
        if (eat != null && !"BPF_CGROUP_INET_INGRESS".equals(eat)) sb.append(" expected_attach_type ").append(eat);
        if (k.containsKey("tail_call_reachable")) sb.append(" tail_call_reachable ").append(k.get("tail_call_reachable"));
        if (k.containsKey("sleepable")) sb.append("  sleepable ").append(k.get("sleepable"));
        if (k.get("aux") instanceof Map<?, ?> aux && aux.get("is_extended") != null)
            sb.append("  is_extended ").append(aux.get("is_extended"));
        o.append(sb).append('\n');
        for (Map<String, Object> s : list(k.get("subprogs")))
            o.append("\tkcore func[").append(s.get("index")).append("]: ").append(s.get("ksym")).append("  ").append(s.getOrDefault("address", "-")).append('\n');
        if (k.get("target") instanceof Map<?, ?> t) {
            StringBuilder tb = new StringBuilder("\tkcore target:");
            if (t.get("dst_prog") instanceof Map<?, ?> d)
                tb.append(" dst_prog ").append(d.get("id")).append(' ').append(d.get("type")).append(' ').append(d.get("name"));
            if (t.containsKey("attach_func_name")) tb.append("  func ").append(t.get("attach_func_name"));
            tb.append("  btf_id ").append(t.get("attach_btf_id"));
            if (t.containsKey("saved_dst_prog_type")) tb.append("  saved_dst_prog_type ").append(t.get("saved_dst_prog_type"));
            o.append(tb).append('\n');
            if (t.get("dst_trampoline") instanceof Map<?, ?> tr) o.append("\tkcore trampoline: ").append(trampoline(tr)).append('\n');
        }
    }

    static String trampoline(Map<?, ?> tr) {
        String s = tr.get("address") + "  func " + tr.get("func");
        if (tr.containsKey("flags")) s += "  flags " + tr.get("flags") + (tr.containsKey("flag_names") ? " " + tr.get("flag_names") : "");
        if (tr.get("extension_prog") instanceof Map<?, ?> e) s += "  extension_prog " + e.get("id") + " " + e.get("name");
        return s;
    }

    /** {@code type BPF_PROG_TYPE_EXT  jited true ...}: an owner's fields as the kernel names them. */
    static String fields(Object f) {
        if (!(f instanceof Map<?, ?> m)) return String.valueOf(f);
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append(' ').append(v));
        return sb.toString();
    }

    static void link(StringBuilder o, Map<String, Object> l) {
        o.append(l.get("id")).append(": ").append(l.get("type")).append("  prog ").append(l.get("prog_id")).append(" (")
                .append(l.get("prog_type")).append(' ').append(l.get("prog_name")).append(")\n");
        if (l.get("target") instanceof Map<?, ?> t && !t.isEmpty()) {
            StringBuilder sb = new StringBuilder("\t");
            t.forEach((k, v) -> sb.append(k).append(' ').append(v).append("  "));
            o.append(sb.toString().stripTrailing()).append('\n');
        }
        if (l.get("kcore") instanceof Map<?, ?> k) {
            if (k.containsKey("error")) o.append("\tkcore: ").append(k.get("error")).append('\n');
            if (k.get("target_prog") instanceof Map<?, ?> t)
                o.append("\tkcore target_prog: ").append(t.get("id")).append(' ').append(t.get("type")).append(' ')
                        .append(t.get("name")).append('\n');
            if (k.get("trampoline") instanceof Map<?, ?> tr) o.append("\tkcore trampoline: ").append(trampoline(tr)).append('\n');
        }
    }

    static void btf(StringBuilder o, Map<String, Object> b) {
        o.append(b.get("id")).append(": name ").append(b.get("name").toString().isEmpty() ? "<anon>" : b.get("name"))
                .append("  size ").append(b.get("size")).append('B').append(Boolean.TRUE.equals(b.get("kernel")) ? "  kernel" : "")
                .append('\n');
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
