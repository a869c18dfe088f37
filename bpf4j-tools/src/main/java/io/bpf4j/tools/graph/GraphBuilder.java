package io.bpf4j.tools.graph;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.FdInfo;
import io.bpf4j.LinkInfo;
import io.bpf4j.LinkType;
import io.bpf4j.MapInfo;
import io.bpf4j.MapType;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.TaskFdQuery;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.KernelRelease;
import io.bpf4j.kernel.Kallsyms;
import io.bpf4j.tools.kmem.KernelBpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Reads the running kernel's BPF objects and builds their {@link Graph}: programs and the maps
 * in their {@code map_ids}; prog array slots (lookup) and map-in-map slots; links and what they
 * attach to (link info: kprobe function, tracepoint, device, cgroup, netns, netfilter hook,
 * freplace target); perf events that processes hold ({@code BPF_TASK_FD_QUERY}), which is where
 * a kprobe attached without a link shows up; an extension's load-time target (prog info
 * {@code attach_btf_obj_id}/{@code attach_btf_id}); and, given kernel memory, what only memory
 * holds: an extension's exact target before attach ({@code aux->dst_prog}), a tracing link's
 * target on kernels whose link info lacks it, prog array owners and poke programs.
 *
 * <p>Objects that vanish while the graph is read are left out, as bpftool does. What cannot be
 * read is said in {@link Graph#notes()}.
 */
public final class GraphBuilder {
    /** Prog array and map-in-map slots looked up per map at most; beyond, a note says so. */
    static final int MAX_SLOTS = 65_536;

    private final KernelBpf kcore;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Draft> nodes = new LinkedHashMap<>();
    private final List<Edge> edges = new ArrayList<>();
    private final Map<Integer, ProgInfo> progs = new TreeMap<>();
    private final Map<Integer, MapInfo> maps = new TreeMap<>();
    private final Map<Integer, LinkInfo> links = new TreeMap<>();
    private final Map<Integer, Btf> btfs = new HashMap<>();
    private final Map<Integer, Boolean> kernelBtf = new HashMap<>();
    private final AttachNames names = new AttachNames();
    private List<FdScan.Held> held = List.of();
    private Kallsyms kallsyms;

    /** A node while the graph is being built: facts are added as sources are read. */
    private static final class Draft {
        final String id;
        final Node.Kind kind;
        final String label;
        String summary;
        final Map<String, String> facts = new LinkedHashMap<>();

        Draft(String id, Node.Kind kind, String label, String summary) {
            this.id = id;
            this.kind = kind;
            this.label = label;
            this.summary = summary;
        }
    }

    /**
     * @param kernelMemory kernel memory through /proc/kcore, or null for bpf(2), fdinfo and
     *                     /proc only
     */
    public GraphBuilder(KernelBpf kernelMemory) {
        this.kcore = kernelMemory;
    }

    /** Adds a line to the graph's notes (the caller's reason for not reading kernel memory). */
    public GraphBuilder note(String line) {
        notes.add(line);
        return this;
    }

    /** Reads everything now and returns the graph. */
    public Graph build() {
        // Processes first: our own object fds opened below are not holders.
        held = FdScan.scan();
        readObjects();
        maps.values().forEach(this::addMap);
        progs.values().forEach(this::addProgram);
        links.values().forEach(this::addLink);
        addPerfEvents();
        addLoadTimeTargets();
        addHolders();
        List<Node> ns = nodes.values().stream().map(d -> new Node(d.id, d.kind, d.label, d.summary, d.facts)).toList();
        return new Graph(KernelRelease.running().release(), ns, edges, notes);
    }

    // ---- reading

    private void readObjects() {
        for (int id : ObjectIds.all(ObjectIds.Kind.PROG)) {
            try (Fd fd = ObjectIds.open(ObjectIds.Kind.PROG, id)) {
                progs.put(id, BpfProgram.infoOf(fd));
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
            }
        }
        for (int id : ObjectIds.all(ObjectIds.Kind.MAP)) {
            try (BpfMap m = BpfMap.fromId(id)) {
                maps.put(id, m.info());
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
            }
        }
        for (int id : ObjectIds.all(ObjectIds.Kind.LINK)) {
            try (BpfLink l = BpfLink.fromId(id)) {
                links.put(id, l.info());
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
            }
        }
    }

    static boolean vanished(BpfException e) {
        return e.errno() == Errno.ENOENT;
    }

    // ---- maps

    private void addMap(MapInfo m) {
        boolean progArray = m.type() == MapType.PROG_ARRAY;
        String type = shortName(m.typeName(), "BPF_MAP_TYPE_");
        Draft d = node("map:" + m.id(), progArray ? Node.Kind.PROG_ARRAY : Node.Kind.MAP, m.name().isEmpty() ? "(no name)" : m.name(),
                "map " + m.id() + " · " + type);
        d.facts.put("id", String.valueOf(m.id()));
        d.facts.put("type", m.typeName());
        d.facts.put("name", m.name());
        d.facts.put("key/value", m.keySize() + "B / " + m.valueSize() + "B");
        d.facts.put("max_entries", String.valueOf(m.maxEntries()));
        if (m.flags() != 0) d.facts.put("flags", "0x" + Integer.toHexString(m.flags()));
        if (m.btfId() != 0) d.facts.put("btf_id", String.valueOf(m.btfId()));
        boolean inner = m.type() == MapType.ARRAY_OF_MAPS || m.type() == MapType.HASH_OF_MAPS;
        if (!progArray && !inner) return;
        try (BpfMap map = BpfMap.fromId(m.id())) {
            FdInfo fdi = FdInfo.of(map.fd());
            if (fdi.ownerProgType().isPresent())
                d.facts.put("owner (fdinfo)", fdi.ownerProgTypeName() + (Boolean.TRUE.equals(fdi.ownerJited()) ? " jited" : ""));
            if (progArray) {
                int used = slots(map, m);
                d.facts.put("slots used", used + " of " + m.maxEntries());
                // The owner decides which programs the array takes: worth a place on the node.
                d.summary += " · " + used + "/" + m.maxEntries() + " slots"
                        + (fdi.ownerProgType().isPresent() ? " · owner " + shortName(fdi.ownerProgTypeName(), "BPF_PROG_TYPE_") : "");
            } else {
                innerMaps(map, m);
            }
        } catch (BpfException e) {
            if (!vanished(e)) throw e;
        }
        if (progArray && kcore != null) {
            kernelMemory("map " + m.id(), () -> {
                KernelBpf.ProgArray pa = kcore.progArray(m.id());
                pa.owner().ifPresent(o -> d.facts.put("owner (kcore " + o.source() + ")", o.type() + (o.jited() ? " jited" : "")));
                if (!pa.pokePrograms().isEmpty())
                    d.facts.put("poke_progs (kcore)", String.join(", ", pa.pokePrograms().stream().map(r -> r.id() + " " + r.name()).toList()));
                return null;
            });
        }
    }

    /** Occupied slots: a lookup returns the program id, ENOENT for an empty slot. */
    private int slots(BpfMap map, MapInfo m) {
        int max = Math.min(m.maxEntries(), MAX_SLOTS);
        if (m.maxEntries() > MAX_SLOTS) notes.add("map " + m.id() + ": only the first " + MAX_SLOTS + " of " + m.maxEntries() + " slots read");
        int used = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(4, 4), val = a.allocate(4, 4);
            for (int i = 0; i < max; i++) {
                key.set(JAVA_INT, 0, i);
                if (!map.lookup(key, val)) continue;
                used++;
                int prog = val.get(JAVA_INT, 0);
                if (progs.containsKey(prog)) edges.add(new Edge("map:" + m.id(), "prog:" + prog, Edge.Kind.SLOT, "[" + i + "]", "lookup"));
            }
        }
        return used;
    }

    /** Map-in-map: each slot's inner map id (array: by index; hash: by key, in hex). */
    private void innerMaps(BpfMap map, MapInfo m) {
        int n = 0;
        for (byte[] key : map.keys()) {
            if (++n > MAX_SLOTS) {
                notes.add("map " + m.id() + ": only the first " + MAX_SLOTS + " entries read");
                break;
            }
            Optional<byte[]> v = map.lookup(key);
            if (v.isEmpty() || v.get().length < 4) continue;
            int inner = java.nio.ByteBuffer.wrap(v.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            String label = m.type() == MapType.ARRAY_OF_MAPS && key.length == 4
                    ? "[" + java.nio.ByteBuffer.wrap(key).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() + "]"
                    : "[0x" + HexFormat.of().formatHex(key) + "]";
            if (maps.containsKey(inner)) edges.add(new Edge("map:" + m.id(), "map:" + inner, Edge.Kind.INNER_MAP, label, "lookup"));
        }
    }

    // ---- programs

    private void addProgram(ProgInfo p) {
        String full = fullName(p);
        String type = shortName(p.typeName(), "BPF_PROG_TYPE_");
        Draft d = node("prog:" + p.id(), p.type() == ProgType.EXT ? Node.Kind.EXTENSION : Node.Kind.PROGRAM,
                full.isEmpty() ? p.name() : full, "prog " + p.id() + " · " + type);
        d.facts.put("id", String.valueOf(p.id()));
        d.facts.put("type", p.typeName());
        d.facts.put("name", p.name());
        if (!full.isEmpty() && !full.equals(p.name())) d.facts.put("full_name", full);
        d.facts.put("tag", p.tag());
        if (p.btfId() != 0) d.facts.put("btf_id", String.valueOf(p.btfId()));
        d.facts.put("map_ids", join(p.mapIds()));
        d.facts.put("xlated/jited", p.xlatedLen() + "B / " + (p.jited() ? p.jitedLen() + "B" : "not jited"));
        if (p.attachBtfId() != 0) d.facts.put("attach_btf_obj_id/attach_btf_id", p.attachBtfObjId() + " / " + p.attachBtfId());
        if (p.runCnt() != 0) d.facts.put("run_cnt/run_time_ns", p.runCnt() + " / " + p.runTimeNs());
        Set<Integer> pokes = new TreeSet<>();
        for (int mapId : p.mapIds()) {
            MapInfo m = maps.get(mapId);
            if (m == null) continue;
            if (m.type() == MapType.PROG_ARRAY) {
                Draft md = nodes.get("map:" + mapId);
                String poke = md == null ? null : md.facts.get("poke_progs (kcore)");
                boolean isPoke = poke != null && List.of(poke.split(", ")).stream().anyMatch(s -> s.startsWith(p.id() + " "));
                if (isPoke) pokes.add(mapId);
                edges.add(new Edge("prog:" + p.id(), "map:" + mapId, Edge.Kind.TAIL_CALLS, "tail call",
                        "prog info map_ids" + (isPoke ? "; kcore poke_progs" : "")));
            } else {
                edges.add(new Edge("prog:" + p.id(), "map:" + mapId, Edge.Kind.USES, "", "prog info map_ids"));
            }
        }
        if (!pokes.isEmpty()) d.facts.put("poke entries in maps (kcore)", join(pokes.stream().mapToInt(Integer::intValue).toArray()));
    }

    /** The BTF name of the program's main function, or "" without func info. */
    private String fullName(ProgInfo p) {
        if (p.btfId() == 0 || p.funcInfo().isEmpty()) return "";
        return typeName(btf(p.btfId()), p.funcInfo().getFirst().typeId());
    }

    // ---- links

    private void addLink(LinkInfo l) {
        String type = shortName(l.typeName(), "BPF_LINK_TYPE_");
        Draft d = node("link:" + l.id(), Node.Kind.LINK, "link " + l.id(), type);
        d.facts.put("id", String.valueOf(l.id()));
        d.facts.put("type", l.typeName());
        d.facts.put("prog_id", String.valueOf(l.progId()));
        l.fields().forEach((k, v) -> d.facts.put(k, String.valueOf(v)));
        String link = "link:" + l.id();
        if (progs.containsKey(l.progId())) edges.add(new Edge(link, "prog:" + l.progId(), Edge.Kind.RUNS, "", "link info prog_id"));
        LinkType lt = l.type();
        if (lt == null) return;
        Map<String, Object> f = l.fields();
        switch (lt) {
            case RAW_TRACEPOINT -> attach(tracepoint(str(f, "tp_name"), true), link, "raw_tp", "link info tp_name");
            case TRACING -> tracingTarget(l, d);
            case CGROUP -> {
                long id = ((Number) f.get("cgroup_id")).longValue();
                Optional<String> path = names.cgroup(id);
                Draft c = node("cgroup:" + id, Node.Kind.CGROUP, path.orElse("cgroup " + id), "cgroup id " + id);
                c.facts.put("cgroup_id", String.valueOf(id));
                c.facts.put("path", path.orElse("not found (no cgroup v2 mount in this namespace has it)"));
                attach(c.id, link, attachShort(str(f, "attach_type")), "link info cgroup_id");
            }
            case ITER -> {
                Draft it = node("iter:" + str(f, "target_name"), Node.Kind.ATTACH_POINT, "iter/" + str(f, "target_name"), "iterator");
                attach(it.id, link, "iter", "link info target_name");
            }
            case NETNS -> {
                long ino = ((Number) f.get("netns_ino")).longValue();
                boolean ours = ino == AttachNames.ownNetns();
                Draft n = node("netns:" + ino, Node.Kind.NETNS, "netns " + ino, ours ? "network namespace (this one)" : "network namespace");
                n.facts.put("inode", String.valueOf(ino));
                attach(n.id, link, attachShort(str(f, "attach_type")), "link info netns_ino");
            }
            case XDP -> attach(device((Integer) f.get("ifindex")), link, "xdp", "link info ifindex");
            case TCX, NETKIT -> attach(device((Integer) f.get("ifindex")), link, attachShort(str(f, "attach_type")), "link info ifindex");
            case PERF_EVENT -> perfLinkTarget(f, link);
            case KPROBE_MULTI -> kprobeMultiTarget(l, d);
            case NETFILTER -> {
                int pf = (Integer) f.get("pf"), hook = (Integer) f.get("hooknum"), prio = (Integer) f.get("priority");
                Draft n = node("netfilter:" + pf + ":" + hook + ":" + prio, Node.Kind.NETFILTER,
                        AttachNames.netfilterFamily(pf) + " " + AttachNames.netfilterHook(hook), "netfilter · priority " + prio);
                attach(n.id, link, "netfilter", "link info netfilter");
            }
            default -> { }
        }
    }

    /** A perf-event link's target, where link info has it (6.6+); older kernels: {@link #addPerfEvents}. */
    private void perfLinkTarget(Map<String, Object> f, String link) {
        String t = str(f, "perf_event_type");
        switch (t) {
            case "kprobe", "kretprobe" -> {
                if (str(f, "func_name").isEmpty()) return;
                int off = f.get("offset") instanceof Integer i ? i : 0;
                attach(kernelFunction(str(f, "func_name")), link, t + (off != 0 ? "+0x" + Integer.toHexString(off) : ""), "link info perf_event");
            }
            case "tracepoint" -> {
                if (!str(f, "tp_name").isEmpty()) attach(tracepoint(str(f, "tp_name"), false), link, "tracepoint", "link info perf_event");
            }
            case "uprobe", "uretprobe" -> {
                if (!str(f, "file_name").isEmpty()) attach(uprobe(str(f, "file_name"), ((Number) f.get("offset")).longValue()), link, t,
                        "link info perf_event");
            }
            default -> { }
        }
    }

    private void kprobeMultiTarget(LinkInfo l, Draft d) {
        String label = (((Number) l.fields().get("flags")).intValue() & 1) != 0 ? "kretprobe.multi" : "kprobe.multi";
        String link = "link:" + l.id();
        List<?> addrs = l.fields().get("addrs") instanceof List<?> a ? a : List.of();
        boolean named = false;
        for (Object o : addrs) {
            long addr = Long.parseUnsignedLong(o.toString().substring(2), 16);
            Optional<String> fn = addr == 0 ? Optional.empty() : symbol(addr);
            if (fn.isPresent()) {
                attach(kernelFunction(fn.get()), link, label, "link info kprobe_multi addrs");
                named = true;
            }
        }
        if (!named) {
            Draft n = node("kmulti:" + l.id(), Node.Kind.KERNEL_FUNCTION, l.fields().get("count") + " functions",
                    "kprobe.multi · addresses not reported");
            attach(n.id, link, label, "link info kprobe_multi count");
        }
    }

    /**
     * A tracing link's target. Extensions: the program (link info {@code target_obj_id}, or
     * the link in kernel memory where link info lacks it) and its function. fentry/fexit/LSM:
     * the kernel function, or the BPF function of another program.
     */
    private void tracingTarget(LinkInfo l, Draft d) {
        String link = "link:" + l.id();
        ProgInfo p = progs.get(l.progId());
        int obj = l.fields().get("target_obj_id") instanceof Integer i ? i : 0;
        int btfId = l.fields().get("target_btf_id") instanceof Integer i ? i : 0;
        boolean ext = p != null && p.type() == ProgType.EXT;
        String label = ext ? "freplace" : tracingLabel(str(l.fields(), "attach_type"));
        String source = "link info target_obj_id/target_btf_id";
        Optional<KernelBpf.Link> kl = Optional.empty();
        Optional<KernelBpf.Target> kt = Optional.empty();
        if (obj == 0 && kcore != null) {
            kl = Optional.ofNullable(kernelMemory("link " + l.id(), () -> kcore.link(l.id())));
            if (p != null) kt = Optional.ofNullable(kernelMemory("prog " + p.id(), () -> kcore.prog(p.id()))).flatMap(KernelBpf.Prog::target);
        }
        if (btfId == 0 && p != null) btfId = p.attachBtfId();
        if (btfId == 0 && kt.isPresent()) btfId = kt.get().attachBtfId();
        String func = kt.map(KernelBpf.Target::attachFuncName).orElse("");
        // target_obj_id is the target program's id when the target is a BPF program (the
        // trampoline key, bpf_trampoline_compute_key()), else the BTF object's id. A tracing
        // program loaded for a kernel function keeps that BTF in prog info's attach_btf_obj_id.
        boolean bpfTarget = ext || (obj != 0 && p != null && p.attachBtfObjId() == 0)
                || kl.flatMap(KernelBpf.Link::target).isPresent();
        if (bpfTarget) {
            int target = obj;
            if (target == 0 && kl.isPresent() && kl.get().target().isPresent()) {
                target = kl.get().target().get().id();
                source = "kcore bpf_tracing_link.tgt_prog" + (func.isEmpty() ? "" : ", aux->attach_func_name");
            }
            if (target == 0 || !progs.containsKey(target)) {
                d.facts.put("target", "not reported (link info target_obj_id is 0" + (kcore == null ? "; kernel memory not read)" : ")"));
                return;
            }
            attach(function(target, btfId, func, source), link, label, source);
            return;
        }
        // A kernel function (fentry/fexit/fmod_ret/lsm/tp_btf).
        if (obj != 0 && btfId != 0) func = typeName(btf(obj), btfId);
        else if (p != null && p.attachBtfObjId() != 0 && p.attachBtfId() != 0) {
            func = typeName(btf(p.attachBtfObjId()), p.attachBtfId());
            source = "prog info attach_btf_obj_id/attach_btf_id";
        } else if (!func.isEmpty()) {
            source = "kcore aux->attach_func_name";
        }
        if (func.isEmpty()) {
            d.facts.put("target", "not reported by this kernel");
            return;
        }
        attach(kernelFunction(func), link, label, source);
    }

    static String tracingLabel(String attachType) {
        return switch (attachType) {
            case "BPF_TRACE_FENTRY" -> "fentry";
            case "BPF_TRACE_FEXIT" -> "fexit";
            case "BPF_MODIFY_RETURN" -> "fmod_ret";
            case "BPF_LSM_MAC" -> "lsm";
            case "BPF_TRACE_RAW_TP" -> "tp_btf";
            default -> attachShort(attachType);
        };
    }

    // ---- perf events held by processes

    /**
     * Perf event fds with a program, from every process: the kprobe, tracepoint or uprobe they
     * are, joined to the process's perf-event link for the same program when there is exactly
     * one (5.15+ attach through links; their info names the target only from 6.6), else drawn
     * straight to the program (an attach by ioctl, as on 5.10, makes no link).
     */
    private void addPerfEvents() {
        for (FdScan.Held h : held) {
            if (h.what() != FdScan.What.PERF_EVENT || !progs.containsKey(h.id())) continue;
            TaskFdQuery q = h.query();
            String target;
            String label = q.fdType().label();
            switch (q.fdType()) {
                case KPROBE, KRETPROBE -> {
                    String fn = q.name().isEmpty() ? symbol(q.probeAddr()).orElse(String.format("0x%x", q.probeAddr())) : q.name();
                    target = kernelFunction(fn);
                    if (q.probeOffset() != 0) label += "+0x" + Long.toHexString(q.probeOffset());
                }
                case TRACEPOINT -> target = tracepoint(q.name(), false);
                case RAW_TRACEPOINT -> target = tracepoint(q.name(), true);
                case UPROBE, URETPROBE -> target = uprobe(q.name(), q.probeOffset());
                default -> {
                    continue;
                }
            }
            List<FdScan.Held> sameProgLinks = held.stream().filter(o -> o.pid() == h.pid() && o.what() == FdScan.What.LINK
                    && links.containsKey(o.id()) && links.get(o.id()).type() == LinkType.PERF_EVENT
                    && links.get(o.id()).progId() == h.id()).toList();
            long sameProgEvents = held.stream().filter(o -> o.pid() == h.pid() && o.what() == FdScan.What.PERF_EVENT && o.id() == h.id()).count();
            String src = "task_fd_query " + h.holder();
            if (sameProgLinks.size() == 1 && sameProgEvents == 1) {
                attach(target, "link:" + sameProgLinks.getFirst().id(), label, src + ", its perf_event link fd " + sameProgLinks.getFirst().fd());
            } else if (sameProgLinks.isEmpty()) {
                attach(target, "prog:" + h.id(), label, src + " (attached by ioctl, no link)");
            } else {
                attach(target, "prog:" + h.id(), label, src + " (one of " + sameProgLinks.size() + " perf_event links of this program)");
            }
        }
    }

    // ---- extension and tracing targets before attach

    /**
     * The function an extension (or tracing program) was loaded for, while it is not attached
     * there: from kernel memory ({@code aux->dst_prog}, exact) or prog info
     * ({@code attach_btf_obj_id} is the target's BTF, which all programs of one object share:
     * when several of them have the function, each is drawn calling it).
     */
    private void addLoadTimeTargets() {
        for (ProgInfo p : progs.values()) {
            ProgType t = p.type();
            if (t != ProgType.EXT && t != ProgType.TRACING && t != ProgType.LSM) continue;
            String prog = "prog:" + p.id();
            if (kcore != null) {
                Optional<KernelBpf.Target> kt = Optional.ofNullable(kernelMemory("prog " + p.id(), () -> kcore.prog(p.id())))
                        .flatMap(KernelBpf.Prog::target);
                if (kt.isPresent()) {
                    nodes.get(prog).facts.put("target (kcore)", describe(kt.get()));
                    if (kt.get().dstProg().isPresent() && progs.containsKey(kt.get().dstProg().get().id())) {
                        String f = function(kt.get().dstProg().get().id(), kt.get().attachBtfId(), kt.get().attachFuncName(),
                                "kcore aux->dst_prog, aux->attach_func_name");
                        pending(f, p, "kcore aux->dst_prog (set until the extension is attached there)");
                    }
                    // Memory is exact: no dst_prog means attached (or loaded for a kernel function,
                    // which its link shows); prog info would only add stale candidates.
                    if (t == ProgType.EXT || kt.get().dstProg().isPresent()) continue;
                }
            }
            if (p.attachBtfObjId() == 0 || p.attachBtfId() == 0) {
                if (t == ProgType.EXT && links.values().stream().noneMatch(l -> l.progId() == p.id()))
                    nodes.get(prog).facts.put("target", "not in this kernel's prog info (attach_btf_obj_id is 0)"
                            + (kcore == null ? "; kernel memory has it (--source kcore)" : ""));
                continue;
            }
            if (isProgramBtf(p.attachBtfObjId())) {
                List<Integer> candidates = programsWithFunction(p.attachBtfObjId(), p.attachBtfId());
                String src = "prog info attach_btf_obj_id/attach_btf_id";
                if (candidates.size() == 1) {
                    pending(function(candidates.getFirst(), p.attachBtfId(), "", src + " (the one program with that BTF and function)"), p, src);
                } else if (candidates.size() > 1) {
                    String name = typeName(btf(p.attachBtfObjId()), p.attachBtfId());
                    Draft f = node("func:btf:" + p.attachBtfObjId() + ":" + p.attachBtfId(), Node.Kind.FUNCTION, name + "()",
                            "in BTF " + p.attachBtfObjId() + " of " + candidates.size() + " programs");
                    f.facts.put("which program", "not in prog info: the " + candidates.size()
                            + " programs share this BTF; kernel memory (aux->dst_prog) tells");
                    for (int c : candidates) edges.add(new Edge("prog:" + c, f.id, Edge.Kind.CALLS, "calls", src + " (candidate)"));
                    pending(f.id, p, src);
                }
            } else if (links.values().stream().noneMatch(l -> l.progId() == p.id())) {
                // fentry/fexit/lsm on a kernel function, not attached: prog info keeps the target.
                String fn = typeName(btf(p.attachBtfObjId()), p.attachBtfId());
                if (!fn.isEmpty()) pending(kernelFunction(fn), p, "prog info attach_btf_obj_id/attach_btf_id");
            }
        }
    }

    private void pending(String func, ProgInfo p, String source) {
        String prog = "prog:" + p.id();
        // Already attached there: a link from this function runs the program.
        boolean attached = edges.stream().anyMatch(e -> e.kind() == Edge.Kind.ATTACH && e.from().equals(func)
                && edges.stream().anyMatch(r -> r.kind() == Edge.Kind.RUNS && r.from().equals(e.to()) && r.to().equals(prog)));
        if (attached) return;
        String label = (p.type() == ProgType.EXT ? "freplace" : "target") + " (not attached)";
        edges.add(new Edge(func, prog, Edge.Kind.TARGET, label, source));
    }

    private static String describe(KernelBpf.Target t) {
        StringBuilder sb = new StringBuilder();
        t.dstProg().ifPresent(d -> sb.append("dst_prog ").append(d.id()).append(' ').append(d.name()).append("  "));
        if (!t.attachFuncName().isEmpty()) sb.append("func ").append(t.attachFuncName()).append("  ");
        sb.append("btf_id ").append(t.attachBtfId());
        t.savedDstProgType().ifPresent(s -> sb.append("  saved_dst_prog_type ").append(s));
        return sb.toString();
    }

    // ---- holders

    private void addHolders() {
        Map<String, List<String>> by = new TreeMap<>();
        for (FdScan.Held h : held) {
            String id = switch (h.what()) {
                case PROG -> "prog:" + h.id();
                case MAP -> "map:" + h.id();
                case LINK -> "link:" + h.id();
                case PERF_EVENT -> "prog:" + h.id();
            };
            String what = h.what() == FdScan.What.PERF_EVENT ? h.holder() + " (perf event)" : h.holder();
            by.computeIfAbsent(id, k -> new ArrayList<>()).add(what);
        }
        by.forEach((id, l) -> {
            Draft d = nodes.get(id);
            if (d != null) d.facts.put("held by", String.join(", ", l));
        });
    }

    // ---- nodes for attach points and functions

    private Draft node(String id, Node.Kind kind, String label, String summary) {
        return nodes.computeIfAbsent(id, k -> new Draft(id, kind, label, summary));
    }

    private void attach(String from, String to, String label, String source) {
        edges.add(new Edge(from, to, Edge.Kind.ATTACH, label, source));
    }

    private String kernelFunction(String name) {
        return node("kfunc:" + name, Node.Kind.KERNEL_FUNCTION, name, "kernel function").id;
    }

    private String tracepoint(String name, boolean raw) {
        return node((raw ? "rawtp:" : "tp:") + name, Node.Kind.TRACEPOINT, name, raw ? "raw tracepoint" : "tracepoint").id;
    }

    private String uprobe(String file, long offset) {
        String off = "0x" + Long.toHexString(offset);
        return node("uprobe:" + file + ":" + off, Node.Kind.ATTACH_POINT, file.substring(file.lastIndexOf('/') + 1) + "+" + off,
                "uprobe · " + file).id;
    }

    private String device(int ifindex) {
        Optional<String> name = names.device(ifindex);
        Draft d = node("netdev:" + ifindex, Node.Kind.DEVICE, name.orElse("ifindex " + ifindex), "network device · ifindex " + ifindex);
        d.facts.put("ifindex", String.valueOf(ifindex));
        d.facts.put("name", name.orElse("none in this network namespace"));
        return d.id;
    }

    /**
     * The node for function {@code btfId} (or, without an id, {@code name}) of program
     * {@code prog}, with the program's edge to it.
     */
    private String function(int prog, int btfId, String name, String source) {
        ProgInfo p = progs.get(prog);
        String fn = btfId != 0 && p != null && p.btfId() != 0 ? typeName(btf(p.btfId()), btfId) : "";
        if (fn.isEmpty()) fn = name;
        if (fn.isEmpty()) fn = "btf_id " + btfId;
        String pname = p == null ? "" : nodes.containsKey("prog:" + prog) ? nodes.get("prog:" + prog).label : p.name();
        Draft d = node("func:" + prog + ":" + (btfId != 0 ? btfId : fn), Node.Kind.FUNCTION, fn + "()", "function of prog " + prog);
        if (btfId != 0) d.facts.put("btf_id", String.valueOf(btfId));
        d.facts.put("program", prog + (pname.isEmpty() ? "" : " " + pname));
        edges.add(new Edge("prog:" + prog, d.id, Edge.Kind.CALLS, "calls", source));
        return d.id;
    }

    /** Programs whose own BTF is object {@code btfObj} and whose func_info has {@code btfId}. */
    private List<Integer> programsWithFunction(int btfObj, int btfId) {
        List<Integer> out = new ArrayList<>();
        for (ProgInfo p : progs.values()) {
            if (p.btfId() == btfObj && p.funcInfo().stream().anyMatch(f -> f.typeId() == btfId)) out.add(p.id());
        }
        return out;
    }

    /** Whether BTF object {@code id} is a program's (not vmlinux's or a module's). */
    private boolean isProgramBtf(int id) {
        return !kernelBtf.computeIfAbsent(id, k -> {
            try (BtfHandle h = BtfHandle.fromId(k)) {
                return h.info().kernel();
            } catch (BpfException e) {
                return true;
            }
        });
    }

    // ---- helpers

    /** BTF object {@code id}, split on vmlinux when it is a module's; parsed once. */
    private Btf btf(int id) {
        if (id == 0) return null;
        return btfs.computeIfAbsent(id, k -> {
            try (BtfHandle h = BtfHandle.fromId(k)) {
                BtfHandle.Info info = h.info();
                kernelBtf.put(k, info.kernel());
                byte[] raw = h.bytes();
                boolean module = info.kernel() && !"vmlinux".equals(info.name());
                return module ? Btf.parse(raw, Btf.kernel()) : Btf.parse(raw);
            } catch (BpfException e) {
                return null;
            }
        });
    }

    static String typeName(Btf btf, int id) {
        if (btf == null) return "";
        try {
            BtfType t = btf.typeById(id);
            return t == null ? "" : t.name();
        } catch (BpfException | IndexOutOfBoundsException e) {
            return "";
        }
    }

    /** The kernel symbol exactly at {@code addr}, or symbol+offset within it. */
    private Optional<String> symbol(long addr) {
        if (kallsyms == null) {
            try {
                kallsyms = Kallsyms.load();
            } catch (BpfException e) {
                return Optional.empty();
            }
        }
        return kallsyms.symbolize(addr).map(s -> s.address() == addr ? s.name() : s.name() + "+0x" + Long.toHexString(addr - s.address()));
    }

    /** Runs a kernel-memory query; a failure becomes a note, not the end of the graph. */
    private <T> T kernelMemory(String what, Supplier<T> q) {
        try {
            return q.get();
        } catch (BpfException e) {
            String n = "kernel memory, " + what + ": " + e.getMessage();
            if (!notes.contains(n)) notes.add(n);
            return null;
        }
    }

    /** {@code BPF_PROG_TYPE_KPROBE} to {@code kprobe}. */
    static String shortName(String kernelName, String prefix) {
        return (kernelName.startsWith(prefix) ? kernelName.substring(prefix.length()) : kernelName).toLowerCase(Locale.ROOT);
    }

    /** {@code BPF_TCX_INGRESS} to {@code tcx_ingress}. */
    static String attachShort(String attachType) {
        return shortName(attachType, "BPF_");
    }

    private static String str(Map<String, Object> f, String k) {
        Object o = f.get(k);
        return o == null ? "" : o.toString();
    }

    private static String join(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int i : ids) sb.append(sb.isEmpty() ? "" : ",").append(i);
        return sb.toString();
    }
}
