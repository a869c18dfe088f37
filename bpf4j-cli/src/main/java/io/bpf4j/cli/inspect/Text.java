package io.bpf4j.cli.inspect;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** bpftool-style text for inspected objects, with the kernel's enum names (drgn style). */
final class Text {
    private Text() {}

    static void prog(PrintStream o, Map<String, Object> p) {
        // String concatenation, not printf: Formatter parsing dominates a cold JVM's time
        // when thousands of objects are printed.
        o.println(p.get("id") + ": " + p.get("type") + "  name " + p.get("name") + "  tag " + p.get("tag")
                + (Boolean.TRUE.equals(p.get("gpl_compatible")) ? "  gpl" : ""));
        if (p.containsKey("full_name")) o.println("\tfull_name " + p.get("full_name"));
        o.println("\tloaded_at " + p.get("loaded_at") + "  uid " + p.get("uid"));
        StringBuilder sb = new StringBuilder("\txlated " + p.get("xlated_bytes") + "B");
        sb.append(Boolean.TRUE.equals(p.get("jited")) ? "  jited " + p.get("jited_bytes") + "B" : "  not jited");
        if (p.containsKey("memlock_bytes")) sb.append("  memlock ").append(p.get("memlock_bytes")).append('B');
        int[] maps = (int[]) p.get("map_ids");
        if (maps != null && maps.length > 0)
            sb.append("  map_ids ").append(Arrays.stream(maps).mapToObj(String::valueOf).collect(Collectors.joining(",")));
        o.println(sb);
        if (p.containsKey("btf_id")) o.println("\tbtf_id " + p.get("btf_id"));
        if (p.containsKey("run_cnt")) o.println("\trun_cnt " + p.get("run_cnt") + "  run_time_ns " + p.get("run_time_ns"));
        if (p.containsKey("ksym")) o.printf("\tksym %s  address %s%n", p.get("ksym"), p.getOrDefault("address", "-"));
        for (Map<String, Object> u : list(p.get("used_maps")))
            o.printf("\tused map %s: %s %s%n", u.get("id"), u.getOrDefault("type", "?"), u.getOrDefault("name", ""));
        for (Map<String, Object> s : list(p.get("subprograms")))
            o.printf("\tfunc[%s]: %s  %s%n", s.get("index"), s.getOrDefault("ksym", s.getOrDefault("name", "")),
                    s.getOrDefault("address", "-"));
        if (p.get("kcore") instanceof Map<?, ?> k) kcoreProg(o, k);
        if (p.get("attach_target") instanceof Map<?, ?> t)
            o.printf("\tattach_target btf_obj_id %s  btf_id %s%s%n", t.get("btf_obj_id"), t.get("btf_id"),
                    t.containsKey("func") ? "  func " + t.get("func") : "");
    }

    static void map(PrintStream o, Map<String, Object> m) {
        o.println(m.get("id") + ": " + m.get("type") + "  name " + m.get("name") + "  flags " + m.get("flags"));
        StringBuilder sb = new StringBuilder("\tkey " + m.get("key_size") + "B  value " + m.get("value_size")
                + "B  max_entries " + m.get("max_entries"));
        if (m.containsKey("memlock_bytes")) sb.append("  memlock ").append(m.get("memlock_bytes")).append('B');
        if (m.containsKey("btf_id")) sb.append("  btf_id ").append(m.get("btf_id"));
        if (Boolean.TRUE.equals(m.get("frozen"))) sb.append("  frozen");
        o.println(sb);
        if (m.get("owner") instanceof Map<?, ?> ow)
            o.printf("\towner bpf prog: %s jited:%s%n", ow.get("prog_type"), Boolean.TRUE.equals(ow.get("jited")) ? "True" : "False");
        else if ("BPF_MAP_TYPE_PROG_ARRAY".equals(m.get("type")))
            o.println("\towner bpf prog: none (no program has used this map yet)");
        for (Map<String, Object> s : list(m.get("slots")))
            o.printf("\tprogs[%s]: id %s  %s  %s  %s  %s%n", s.get("index"), s.get("prog_id"), s.get("type"),
                    s.getOrDefault("name", ""), s.getOrDefault("ksym", ""), s.getOrDefault("address", "-"));
        if (m.get("kcore") instanceof Map<?, ?> k) {
            if (k.containsKey("error")) {
                o.println("\tkcore: " + k.get("error"));
            } else {
                if (k.get("owner") instanceof Map<?, ?> ow)
                    o.println("\tkcore owner (" + ow.get("source") + "): " + ow.get("prog_type") + " jited:"
                            + (Boolean.TRUE.equals(ow.get("jited")) ? "True" : "False") + "  (" + fields(ow.get("fields")) + ")");
                else
                    o.println("\tkcore owner: none");
                for (Map<String, Object> s : list(k.get("slots")))
                    o.println("\tkcore ptrs[" + s.get("index") + "]: id " + s.get("id") + "  " + s.get("type") + "  " + s.get("name"));
                for (Map<String, Object> p : list(k.get("poke_progs")))
                    o.println("\tkcore poke: id " + p.get("id") + "  " + p.get("type") + "  " + p.get("name"));
            }
        }
    }

    /** Kernel-memory facts of a program, each line tagged with where it came from. */
    static void kcoreProg(PrintStream o, Map<?, ?> k) {
        if (k.containsKey("error")) {
            o.println("\tkcore: " + k.get("error"));
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
        o.println(sb);
        for (Map<String, Object> s : list(k.get("subprogs")))
            o.println("\tkcore func[" + s.get("index") + "]: " + s.get("ksym") + "  " + s.getOrDefault("address", "-"));
        if (k.get("target") instanceof Map<?, ?> t) {
            StringBuilder tb = new StringBuilder("\tkcore target:");
            if (t.get("dst_prog") instanceof Map<?, ?> d)
                tb.append(" dst_prog ").append(d.get("id")).append(' ').append(d.get("type")).append(' ').append(d.get("name"));
            if (t.containsKey("attach_func_name")) tb.append("  func ").append(t.get("attach_func_name"));
            tb.append("  btf_id ").append(t.get("attach_btf_id"));
            if (t.containsKey("saved_dst_prog_type")) tb.append("  saved_dst_prog_type ").append(t.get("saved_dst_prog_type"));
            o.println(tb);
            if (t.get("dst_trampoline") instanceof Map<?, ?> tr) o.println("\tkcore trampoline: " + trampoline(tr));
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

    static void link(PrintStream o, Map<String, Object> l) {
        o.printf("%s: %s  prog %s (%s %s)%n", l.get("id"), l.get("type"), l.get("prog_id"), l.get("prog_type"), l.get("prog_name"));
        if (l.get("target") instanceof Map<?, ?> t && !t.isEmpty()) {
            StringBuilder sb = new StringBuilder("\t");
            t.forEach((k, v) -> sb.append(k).append(' ').append(v).append("  "));
            o.println(sb.toString().stripTrailing());
        }
        if (l.get("kcore") instanceof Map<?, ?> k) {
            if (k.containsKey("error")) o.println("\tkcore: " + k.get("error"));
            if (k.get("target_prog") instanceof Map<?, ?> t)
                o.println("\tkcore target_prog: " + t.get("id") + " " + t.get("type") + " " + t.get("name"));
            if (k.get("trampoline") instanceof Map<?, ?> tr) o.println("\tkcore trampoline: " + trampoline(tr));
        }
    }

    static void btf(PrintStream o, Map<String, Object> b) {
        o.printf("%s: name %s  size %sB%s%n", b.get("id"), b.get("name").toString().isEmpty() ? "<anon>" : b.get("name"),
                b.get("size"), Boolean.TRUE.equals(b.get("kernel")) ? "  kernel" : "");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
