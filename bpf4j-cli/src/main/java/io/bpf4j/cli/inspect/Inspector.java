package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.LinkInfo;
import io.bpf4j.MapInfo;
import io.bpf4j.MapType;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.FdInfo;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Syscalls;
import io.bpf4j.Fd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Gathers what the kernel's interfaces (bpf(2) info, fdinfo, BTF) say about loaded objects,
 * as ordered maps whose keys are the stable {@code --json} field names. One instance caches
 * BTF objects and program names across the objects it inspects.
 */
public final class Inspector {
    // Concurrent: a listing without details walks its objects on two threads (see walk).
    private final Map<Integer, Btf> btfCache = new ConcurrentHashMap<>();
    private final Map<Integer, Map<String, Object>> progSummaryCache = new ConcurrentHashMap<>();
    private final KcoreFacts kcore;

    /** Facts from the kernel's interfaces only. */
    public Inspector() {
        this(null);
    }

    /** With kernel memory: {@code --details} output gains a "kcore" section per object. */
    public Inspector(io.bpf4j.tools.kmem.KernelBpf kernelMemory) {
        this.kcore = kernelMemory == null ? null : new KcoreFacts(kernelMemory);
    }

    /** Objects that vanish between listing and opening are skipped, as bpftool does. */
    static boolean vanished(BpfException e) {
        return e.errno() == Errno.ENOENT;
    }

    // ---- programs

    public List<Map<String, Object>> programs(boolean details) {
        return list(walk(ids(ObjectIds.Kind.PROG), details, id -> program(id, details), ArrayList::new, List::add));
    }

    /** The kernel's ids of a kind, ascending, each listed when asked for; 0 after the last. */
    static IntSupplier ids(ObjectIds.Kind kind) {
        int[] last = {0};
        return () -> last[0] = ObjectIds.next(kind, last[0]);
    }

    /** These ids, then 0. */
    static IntSupplier ids(List<Integer> ids) {
        int[] k = {0};
        return () -> k[0] < ids.size() ? ids.get(k[0]++) : 0;
    }

    static List<Map<String, Object>> list(List<List<Map<String, Object>>> parts) {
        List<Map<String, Object>> out = parts.isEmpty() ? new ArrayList<>() : parts.getFirst();
        for (int i = 1; i < parts.size(); i++) out.addAll(parts.get(i));
        return out;
    }

    /** The objects of these ids (see {@link #walk(IntSupplier, boolean, IntFunction, Supplier, BiConsumer)}). */
    List<Map<String, Object>> walk(List<Integer> ids, boolean details, IntFunction<Map<String, Object>> one) {
        return list(walk(ids(ids), details, one, ArrayList::new, List::add));
    }

    /** Ids listed, and objects walked, per chunk; from the second chunk on, a listing is walked on two threads. */
    static final int CHUNK = 256;

    /** One chunk of a walk: ids in listing order and the part its objects go to. */
    private record Chunk<P>(int[] ids, int count, P part) {}

    /**
     * Walks the objects whose ids {@code ids} gives (until it gives 0) in order, skipping those
     * that vanished since they were listed, and adds each to a part made by {@code newPart} per
     * chunk of {@link #CHUNK} ids; returns the parts in order.
     *
     * <p>Without details, the walk starts while the listing goes on: once a second chunk is
     * listed, a second thread takes chunks from a queue, and this one lists the next chunk, then
     * walks it itself unless the other thread is waiting for work; when the listing ends, both
     * take what is left. Per object the time goes to system calls (open by id, info, fdinfo,
     * close), which run in parallel in the kernel, and {@code add} (rendering the object, say)
     * runs on both threads. --details stays on one thread: kernel memory (KcoreFacts) is read
     * through one session.
     */
    <P> List<P> walk(IntSupplier ids, boolean details, IntFunction<Map<String, Object>> one, Supplier<P> newPart,
            BiConsumer<P, Map<String, Object>> add) {
        boolean parallel = !details && Runtime.getRuntime().availableProcessors() > 1;
        if (parallel) clocks(); // before the second thread, not raced by it
        List<P> parts = new ArrayList<>();
        BlockingQueue<Chunk<P>> queue = new LinkedBlockingQueue<>();
        FutureTask<Void> helper = null;
        try {
            boolean more = true;
            while (more) {
                int[] chunk = new int[CHUNK];
                int n = 0;
                for (int id; n < CHUNK && (id = ids.getAsInt()) != 0; ) chunk[n++] = id;
                more = n == CHUNK;
                if (n == 0) break;
                Chunk<P> c = new Chunk<>(chunk, n, newPart.get());
                parts.add(c.part());
                if (parallel && parts.size() >= 2) {
                    if (helper == null) {
                        helper = new FutureTask<>(() -> {
                            for (Chunk<P> h; (h = queue.take()).count() > 0; ) walk(h, one, add);
                            return null;
                        });
                        Thread t = new Thread(helper, "bpf4j-walk");
                        t.setDaemon(true);
                        t.start();
                    }
                    if (queue.isEmpty()) {
                        queue.add(c);
                        continue;
                    }
                }
                walk(c, one, add);
            }
            for (Chunk<P> c; (c = queue.poll()) != null; ) walk(c, one, add);
        } finally {
            if (helper != null) {
                queue.clear();
                queue.add(new Chunk<>(new int[0], 0, null)); // the end: the helper stops after its current chunk
            }
        }
        if (helper != null) {
            try {
                helper.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BpfException("inspect: interrupted");
            }
        }
        return parts;
    }

    private static <P> void walk(Chunk<P> c, IntFunction<Map<String, Object>> one, BiConsumer<P, Map<String, Object>> add) {
        for (int k = 0; k < c.count(); k++) {
            Map<String, Object> m;
            try {
                m = one.apply(c.ids()[k]);
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
                continue;
            }
            add.accept(c.part(), m);
        }
    }

    public Map<String, Object> program(int id, boolean details) {
        // The fd and one info call, not a BpfProgram: opening one reads its info once more.
        try (Fd fd = ObjectIds.open(ObjectIds.Kind.PROG, id)) {
            ProgInfo i = BpfProgram.infoOf(fd);
            FdInfo fdi = FdInfo.of(fd);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("type", i.typeName());
            m.put("name", i.name());
            String full = fullName(i);
            if (!full.isEmpty() && !full.equals(i.name())) m.put("full_name", full);
            m.put("tag", i.tag());
            m.put("gpl_compatible", i.gplCompatible());
            m.put("loaded_at", loadedAt(i.loadTime()));
            m.put("uid", i.createdByUid());
            m.put("xlated_bytes", i.xlatedLen());
            m.put("jited", i.jited());
            if (i.jited()) m.put("jited_bytes", i.jitedLen());
            fdi.memlock().ifPresent(v -> m.put("memlock_bytes", v));
            m.put("map_ids", i.mapIds());
            if (i.btfId() != 0) m.put("btf_id", i.btfId());
            if (i.runCnt() != 0) {
                m.put("run_cnt", i.runCnt());
                m.put("run_time_ns", i.runTimeNs());
            }
            if (details) details(i, m);
            if (details && kcore != null) m.put("kcore", KcoreFacts.guarded(() -> kcore.prog(id)));
            return m;
        }
    }

    private void details(ProgInfo i, Map<String, Object> m) {
        m.put("ksym", ksymName(i.tag(), fullName(i).isEmpty() ? i.name() : fullName(i)));
        if (i.jitedKsyms().length > 0) m.put("address", hex(i.jitedKsyms()[0]));
        List<Map<String, Object>> maps = new ArrayList<>();
        for (int mapId : i.mapIds()) {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("id", mapId);
            try (BpfMap map = BpfMap.fromId(mapId)) {
                MapInfo mi = map.info();
                u.put("type", mi.typeName());
                u.put("name", mi.name());
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
            }
            maps.add(u);
        }
        m.put("used_maps", maps);
        // Subprograms: one ksym, tag and (with BTF) func_info record per function.
        Btf btf = btf(i.btfId());
        List<Map<String, Object>> funcs = new ArrayList<>();
        int n = Math.max(i.jitedKsyms().length, i.funcInfo().size());
        for (int f = 0; f < n; f++) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("index", f);
            String fname = "";
            if (btf != null && f < i.funcInfo().size()) {
                fname = typeName(btf, i.funcInfo().get(f).typeId());
                s.put("insn_off", i.funcInfo().get(f).insnOff());
            }
            if (!fname.isEmpty()) s.put("name", fname);
            String tag = f < i.progTags().size() ? i.progTags().get(f) : (f == 0 ? i.tag() : "");
            if (!tag.isEmpty()) s.put("tag", tag);
            if (!tag.isEmpty()) s.put("ksym", ksymName(tag, fname.isEmpty() ? (f == 0 ? i.name() : "F") : fname));
            if (f < i.jitedKsyms().length) s.put("address", hex(i.jitedKsyms()[f]));
            if (f < i.jitedFuncLens().length) s.put("jited_bytes", i.jitedFuncLens()[f]);
            funcs.add(s);
        }
        if (n > 1) m.put("subprograms", funcs.subList(1, funcs.size()));
        ProgType t = i.type();
        if ((t == ProgType.EXT || t == ProgType.TRACING || t == ProgType.LSM) && i.attachBtfId() != 0) {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("btf_obj_id", i.attachBtfObjId());
            target.put("btf_id", i.attachBtfId());
            Btf tb = i.attachBtfObjId() != 0 ? btf(i.attachBtfObjId()) : kernelBtf();
            if (tb != null) target.put("func", typeName(tb, i.attachBtfId()));
            m.put("attach_target", target);
        }
        if (i.verifiedInsns() != 0) m.put("verified_insns", i.verifiedInsns());
    }

    /** The BTF name of the program's main function, or "" without func info. */
    String fullName(ProgInfo i) {
        if (i.btfId() == 0 || i.funcInfo().isEmpty()) return "";
        Btf btf = btf(i.btfId());
        return btf == null ? "" : typeName(btf, i.funcInfo().get(0).typeId());
    }

    static String typeName(Btf btf, int id) {
        try {
            BtfType t = btf.typeById(id);
            return t == null ? "" : t.name();
        } catch (BpfException e) {
            return "";
        }
    }

    /** A program's BTF (split on vmlinux when it is a module's), parsed once per id. */
    Btf btf(int id) {
        if (id == 0) return null;
        return btfCache.computeIfAbsent(id, k -> {
            try (BtfHandle h = BtfHandle.fromId(k)) {
                BtfHandle.Info info = h.info();
                byte[] raw = h.bytes();
                boolean module = info.kernel() && !"vmlinux".equals(info.name());
                return module ? Btf.parse(raw, Btf.kernel()) : Btf.parse(raw);
            } catch (BpfException e) {
                return null;
            }
        });
    }

    Btf kernelBtf() {
        try {
            return Btf.kernel();
        } catch (BpfException e) {
            return null;
        }
    }

    /** bpf_prog_ksym_set_name(): "bpf_prog_" + tag + "_" + name (kernel/bpf/core.c). */
    static String ksymName(String tag, String name) {
        return "bpf_prog_" + tag + (name == null || name.isEmpty() ? "" : "_" + name);
    }

    // ---- maps

    public List<Map<String, Object>> maps(boolean details) {
        return list(walk(ids(ObjectIds.Kind.MAP), details, id -> map(id, details), ArrayList::new, List::add));
    }

    public Map<String, Object> map(int id, boolean details) {
        try (BpfMap map = BpfMap.fromId(id)) {
            MapInfo i = map.info();
            FdInfo fdi = FdInfo.of(map.fd());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("type", i.typeName());
            m.put("name", i.name());
            m.put("flags", "0x" + Integer.toHexString(i.flags()));
            m.put("key_size", i.keySize());
            m.put("value_size", i.valueSize());
            m.put("max_entries", i.maxEntries());
            fdi.memlock().ifPresent(v -> m.put("memlock_bytes", v));
            if (i.btfId() != 0) m.put("btf_id", i.btfId());
            m.put("frozen", fdi.frozen());
            if (fdi.ownerProgType().isPresent()) {
                Map<String, Object> owner = new LinkedHashMap<>();
                owner.put("prog_type", fdi.ownerProgTypeName());
                owner.put("jited", fdi.ownerJited());
                owner.put("source", "fdinfo");
                m.put("owner", owner);
            }
            if (details && i.type() == MapType.PROG_ARRAY) {
                m.put("slots", slots(map, i.maxEntries()));
                if (kcore != null) m.put("kcore", KcoreFacts.guarded(() -> kcore.progArray(id)));
            }
            return m;
        }
    }

    /** Occupied prog array slots: lookup returns the program id, ENOENT for empty (5e in kernel-facts). */
    private List<Map<String, Object>> slots(BpfMap map, int max) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(4, 4), val = a.allocate(4, 4);
            for (int idx = 0; idx < max; idx++) {
                key.set(JAVA_INT, 0, idx);
                if (!map.lookup(key, val)) continue;
                int progId = val.get(JAVA_INT, 0);
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("index", idx);
                s.put("prog_id", progId);
                s.putAll(progSummary(progId));
                out.add(s);
            }
        }
        return out;
    }

    private Map<String, Object> progSummary(int progId) {
        return progSummaryCache.computeIfAbsent(progId, id -> {
            Map<String, Object> s = new LinkedHashMap<>();
            try (Fd fd = ObjectIds.open(ObjectIds.Kind.PROG, id)) {
                ProgInfo i = BpfProgram.infoOf(fd);
                String full = fullName(i);
                s.put("type", i.typeName());
                s.put("name", full.isEmpty() ? i.name() : full);
                s.put("ksym", ksymName(i.tag(), full.isEmpty() ? i.name() : full));
                if (i.jitedKsyms().length > 0) s.put("address", hex(i.jitedKsyms()[0]));
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
                s.put("type", "(gone)");
            }
            return s;
        });
    }

    // ---- links

    public List<Map<String, Object>> links() {
        return links(false);
    }

    public List<Map<String, Object>> links(boolean details) {
        return list(walk(ids(ObjectIds.Kind.LINK), details, id -> link(id, details), ArrayList::new, List::add));
    }

    public Map<String, Object> link(int id) {
        return link(id, false);
    }

    public Map<String, Object> link(int id, boolean details) {
        try (BpfLink l = BpfLink.fromId(id)) {
            LinkInfo i = l.info();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("type", i.typeName());
            m.put("prog_id", i.progId());
            Map<String, Object> prog = progSummary(i.progId());
            m.put("prog_name", prog.getOrDefault("name", ""));
            m.put("prog_type", prog.getOrDefault("type", ""));
            m.put("target", i.fields());
            if (details && kcore != null) m.put("kcore", KcoreFacts.guarded(() -> kcore.link(id)));
            return m;
        }
    }

    // ---- BTF objects

    public List<Map<String, Object>> btfs() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int id : ObjectIds.all(ObjectIds.Kind.BTF)) {
            try {
                out.add(btfObject(id));
            } catch (BpfException e) {
                if (!vanished(e)) throw e;
            }
        }
        return out;
    }

    /** One BTF object loaded in the kernel: id, name, size, whether it is the kernel's or a module's. */
    public Map<String, Object> btfObject(int id) {
        try (BtfHandle h = BtfHandle.fromId(id)) {
            BtfHandle.Info i = h.info();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("name", i.name());
            m.put("size", i.size());
            m.put("kernel", i.kernel());
            return m;
        }
    }

    // ---- helpers

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /**
     * Wall-clock nanoseconds at boot, so load_time (CLOCK_BOOTTIME) can be shown as a date:
     * CLOCK_REALTIME minus CLOCK_BOOTTIME, as bpftool computes it; 0 if they are unreadable. To
     * the microsecond, so that two runs print the same second for an object (/proc/uptime, with
     * its 10 ms steps, flipped objects loaded near the end of a second between runs): the
     * realtime reading is bracketed by two boottime readings, taken again if the thread was
     * preempted between them.
     */
    static long bootEpochNanos() {
        long best = 0, bestGap = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 20 && bestGap > 20_000; attempt++) {
            long boot0 = Syscalls.clockNanos(Syscalls.CLOCK_BOOTTIME), real = Syscalls.clockNanos(Syscalls.CLOCK_REALTIME),
                    boot1 = Syscalls.clockNanos(Syscalls.CLOCK_BOOTTIME);
            if (boot0 < 0 || real < 0 || boot1 < 0) return 0;
            if (boot1 - boot0 < bestGap) {
                bestGap = boot1 - boot0;
                best = real - (boot0 + (boot1 - boot0) / 2);
            }
        }
        return best;
    }

    private WallClock wallClock;
    private long bootEpochNanos;
    private boolean bootKnown;

    /** The clocks loadedAt needs; a walk on two threads calls it before it starts the second. */
    private void clocks() {
        if (!bootKnown) {
            bootEpochNanos = bootEpochNanos();
            bootKnown = true;
        }
        if (wallClock == null) wallClock = WallClock.system();
    }

    /**
     * Does now what the first object would do: the system zone and the info layouts. The fast
     * path calls it while bpf(2) is being linked on another thread.
     */
    void prepare() {
        if (wallClock == null) wallClock = WallClock.system();
        if (io.bpf4j.internal.sys.Layouts.ProgInfo.LAYOUT.byteSize() == 0 || io.bpf4j.internal.sys.Layouts.MapInfo.LAYOUT.byteSize() == 0
                || io.bpf4j.internal.sys.Layouts.GetId.LAYOUT.byteSize() == 0 || io.bpf4j.internal.sys.Layouts.Info.LAYOUT.byteSize() == 0)
            throw new IllegalStateException("empty layout");
    }

    String loadedAt(long bootNs) {
        clocks();
        if (bootEpochNanos == 0) return bootNs + "ns";
        return wallClock.format(Math.floorDiv(bootEpochNanos + bootNs, 1_000_000_000L));
    }
}
