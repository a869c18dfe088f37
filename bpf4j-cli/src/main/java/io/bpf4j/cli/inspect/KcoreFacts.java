package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.tools.kmem.KernelBpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Facts only kernel memory holds (via {@link KernelBpf} over /proc/kcore), as ordered maps
 * under a {@code "kcore"} key of inspect's output, each saying which field path it read.
 */
final class KcoreFacts {
    private final KernelBpf kb;

    KcoreFacts(KernelBpf kb) {
        this.kb = kb;
    }

    static Map<String, Object> ref(KernelBpf.ProgRef r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("type", r.type());
        m.put("name", r.name());
        if (!r.ksym().isEmpty()) m.put("ksym", r.ksym());
        return m;
    }

    Map<String, Object> progArray(int mapId) {
        KernelBpf.ProgArray pa = kb.progArray(mapId);
        Map<String, Object> m = new LinkedHashMap<>();
        pa.owner().ifPresent(o -> {
            Map<String, Object> ow = new LinkedHashMap<>();
            ow.put("source", o.source());
            ow.put("prog_type", o.type());
            ow.put("jited", o.jited());
            ow.put("fields", o.fields());
            m.put("owner", ow);
        });
        List<Map<String, Object>> slots = new ArrayList<>();
        for (KernelBpf.Slot s : pa.slots()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", s.index());
            e.putAll(ref(s.prog()));
            slots.add(e);
        }
        m.put("slots", slots);
        m.put("poke_progs", pa.pokePrograms().stream().map(KcoreFacts::ref).toList());
        return m;
    }

    Map<String, Object> prog(int id) {
        KernelBpf.Prog p = kb.prog(id);
        Map<String, Object> m = new LinkedHashMap<>();
        p.tailCallReachable().ifPresent(v -> m.put("tail_call_reachable", v));
        p.sleepable().ifPresent(v -> m.put("sleepable", v));
        m.put("expected_attach_type", p.expectedAttachType());
        if (!p.subprogs().isEmpty()) {
            m.put("subprogs", p.subprogs().stream().map(s -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", s.index());
                e.put("ksym", s.ksym());
                if (s.start() != 0) e.put("address", Inspector.hex(s.start()));
                return e;
            }).toList());
        }
        p.target().ifPresent(t -> {
            Map<String, Object> e = new LinkedHashMap<>();
            t.dstProg().ifPresent(d -> e.put("dst_prog", ref(d)));
            if (!t.attachFuncName().isEmpty()) e.put("attach_func_name", t.attachFuncName());
            e.put("attach_btf_id", t.attachBtfId());
            t.dstTrampoline().ifPresent(tr -> e.put("dst_trampoline", trampoline(tr)));
            t.savedDstProgType().ifPresent(v -> e.put("saved_dst_prog_type", v));
            t.savedDstAttachType().ifPresent(v -> e.put("saved_dst_attach_type", v));
            m.put("target", e);
        });
        if (!p.extra().isEmpty()) m.put("aux", p.extra());
        return m;
    }

    Map<String, Object> link(int id) {
        KernelBpf.Link l = kb.link(id);
        Map<String, Object> m = new LinkedHashMap<>();
        l.attachType().ifPresent(a -> m.put("attach_type", a));
        l.target().ifPresent(t -> m.put("target_prog", ref(t)));
        l.trampoline().ifPresent(t -> m.put("trampoline", trampoline(t)));
        return m;
    }

    static Map<String, Object> trampoline(KernelBpf.Trampoline t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", Inspector.hex(t.address()));
        m.put("key", Inspector.hex(t.key()));
        t.flags().ifPresent(f -> m.put("flags", Inspector.hex(f)));
        if (!t.flagNames().isEmpty()) m.put("flag_names", t.flagNames());
        if (!t.func().isEmpty()) m.put("func", t.func());
        t.extensionProg().ifPresent(e -> m.put("extension_prog", ref(e)));
        return m;
    }

    /** Runs a kcore query; a failure on one object is reported in its output, not fatal. */
    static Object guarded(java.util.function.Supplier<Map<String, Object>> q) {
        try {
            return q.get();
        } catch (BpfException e) {
            return Map.of("error", e.getMessage());
        }
    }

    /**
     * Kernel memory for {@code --source}; for {@code auto} where it cannot be read, empty and
     * {@code note} receives the one line that says why.
     */
    static Optional<KernelBpf> open(String source, java.util.function.Consumer<String> note) {
        if (source.equals("uapi")) return Optional.empty();
        try {
            return Optional.of(KernelBpf.open());
        } catch (BpfException e) {
            if (source.equals("kcore")) throw e;
            note.accept("bpf4j inspect: kernel memory not read (" + e.getMessage() + "); shown: what bpf(2) and fdinfo report");
            return Optional.empty();
        }
    }
}
