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
    }

    static void link(PrintStream o, Map<String, Object> l) {
        o.printf("%s: %s  prog %s (%s %s)%n", l.get("id"), l.get("type"), l.get("prog_id"), l.get("prog_type"), l.get("prog_name"));
        if (l.get("target") instanceof Map<?, ?> t && !t.isEmpty()) {
            StringBuilder sb = new StringBuilder("\t");
            t.forEach((k, v) -> sb.append(k).append(' ').append(v).append("  "));
            o.println(sb.toString().stripTrailing());
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
