package io.bpf4j.cli.top;

import io.bpf4j.internal.json.Json;
import io.bpf4j.tools.top.Holder;
import io.bpf4j.tools.top.ProgRate;
import io.bpf4j.tools.top.TopSample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bpf4j top --json}: one sample as one JSON document, keys always in this order.
 *
 * <pre>
 * {"time":"2026-12-06T01:02:03.456Z","interval_ns":…,"sort":"runtime","filter":"","programs":[
 *   {"id":…,"type":"BPF_PROG_TYPE_XDP","name":…,"events_per_second":…,"avg_run_time_ns":…,
 *    "cpu_percent":…,"run_cnt":…,"run_time_ns":…,"interval_ns":…,"recursion_misses":…|null,
 *    "recursion_misses_delta":…|null,"since_load":false,"holders":[{"pid":…,"comm":…,"via":"prog"|"link"}]}],
 *  "stats_also_held_by":[{"pid":…,"comm":…}],"stats_sysctl":false}
 * </pre>
 * run_cnt and run_time_ns are the interval's; recursion_misses is the total since load, null
 * where the kernel does not report it (before 5.12). time is when the sample's second read
 * ended: the sample covers the interval_ns before it.
 */
final class TopJson {
    private TopJson() {}

    static String write(TopSample s, Sort sort, String filter) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("time", s.time().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        doc.put("interval_ns", s.intervalNs());
        doc.put("sort", sort.option());
        doc.put("filter", filter);
        List<Object> progs = new ArrayList<>();
        for (ProgRate r : TopTable.select(s, sort, filter)) progs.add(program(r));
        doc.put("programs", progs);
        List<Object> stats = new ArrayList<>();
        for (Holder h : s.statsHolders()) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("pid", h.pid());
            hm.put("comm", h.comm());
            stats.add(hm);
        }
        doc.put("stats_also_held_by", stats);
        doc.put("stats_sysctl", s.sysctlStats());
        return Json.write(doc);
    }

    static Map<String, Object> program(ProgRate r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("type", r.typeName());
        m.put("name", r.name());
        m.put("events_per_second", round(r.eventsPerSecond()));
        m.put("avg_run_time_ns", round(r.avgRunTimeNs()));
        m.put("cpu_percent", round(r.cpuPercent()));
        m.put("run_cnt", r.runCnt());
        m.put("run_time_ns", r.runTimeNs());
        m.put("interval_ns", r.intervalNs());
        m.put("recursion_misses", r.recursionMisses() < 0 ? null : r.recursionMisses());
        m.put("recursion_misses_delta", r.recursionMissesDelta() < 0 ? null : r.recursionMissesDelta());
        m.put("since_load", r.sinceLoad());
        List<Object> hs = new ArrayList<>();
        for (Holder h : r.holders()) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("pid", h.pid());
            hm.put("comm", h.comm());
            hm.put("via", h.viaLink() ? "link" : "prog");
            hs.add(hm);
        }
        m.put("holders", hs);
        return m;
    }

    /** Three decimals; BigDecimal of scale 3 prints without an exponent. */
    static java.math.BigDecimal round(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP);
    }
}
