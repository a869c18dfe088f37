package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.btf.BtfType;
import io.bpf4j.kernel.Kallsyms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * BPF facts that only kernel memory holds, read through a {@link Kernel}: a prog array's owner
 * with every field the kernel keeps, its slots and poke programs; a program's
 * {@code tail_call_reachable}, subprograms, extension or tracing target and trampoline; a
 * tracing link's target. This is what drgn's {@code bpf_inspect.py} shows, without DWARF.
 *
 * <p>Every member path is looked up in the running kernel's BTF and every layout era is
 * recognised by which members exist, never by the kernel version: the owner lives in
 * {@code array->aux} (5.5–5.14), {@code array->aux->owner} (5.15–5.17, 5.10.77+),
 * {@code map->owner} embedded (5.18–6.16) or {@code map->owner} as a pointer (6.17+, and
 * backports such as Debian 6.1.151+). {@link Owner#source()} says which path was read.
 *
 * <p>Each public query starts by dropping cached memory, so it sees the kernel as it is then.
 */
public final class KernelBpf implements AutoCloseable {
    private static final Pattern KSYM_PREFIX = Pattern.compile("^bpf_prog_[0-9a-f]{16}_?");
    /** Subprogram and used-map counts above this are a torn read, not a program. */
    private static final int MAX_FUNCS = 1 << 16;

    private final Kernel kernel;

    public KernelBpf(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The running kernel through /proc/kcore; one clear line when kcore cannot be used. */
    public static KernelBpf open() {
        return new KernelBpf(Kernel.open());
    }

    public Kernel kernel() {
        return kernel;
    }

    // ---- enumeration ----

    /** Ids of all programs, from {@code prog_idr}, ascending. */
    public List<Integer> progIds() {
        return ids("prog_idr");
    }

    public List<Integer> mapIds() {
        return ids("map_idr");
    }

    /** Ids of all links (Linux 5.8+; empty where {@code link_idr} does not exist). */
    public List<Integer> linkIds() {
        if (kernel.symbols().first("link_idr").isEmpty()) return List.of();
        return ids("link_idr");
    }

    private List<Integer> ids(String idr) {
        kernel.refresh();
        List<Integer> out = new ArrayList<>();
        for (Walks.Entry e : Walks.idr(kernel.variable(idr, "struct idr"))) out.add((int) e.index());
        return out;
    }

    /** The {@code struct bpf_prog} with this id, if there is one. */
    public Optional<KObject> progObject(int id) {
        return find("prog_idr", id, "struct bpf_prog");
    }

    public Optional<KObject> mapObject(int id) {
        return find("map_idr", id, "struct bpf_map");
    }

    public Optional<KObject> linkObject(int id) {
        if (kernel.symbols().first("link_idr").isEmpty()) return Optional.empty();
        return find("link_idr", id, "struct bpf_link");
    }

    private Optional<KObject> find(String idr, int id, String type) {
        long p = Walks.idrFind(kernel.variable(idr, "struct idr"), Integer.toUnsignedLong(id));
        return p == 0 ? Optional.empty() : Optional.of(kernel.object(p, type));
    }

    // ---- programs, briefly ----

    /**
     * A program as other facts refer to it: id, type, name and JIT symbol.
     *
     * @param name the full name: the BTF function name taken from the ksym when there is one,
     *             else the 16-byte object name
     * @param ksym {@code bpf_prog_<tag>_<name>}, empty when the program has no JIT symbol
     */
    public record ProgRef(int id, String type, String name, String ksym, long address) {
        @Override
        public String toString() {
            return id + ": " + type + " " + name;
        }
    }

    /** Reads the short description of a {@code struct bpf_prog} (or pointer to one). */
    public ProgRef progRef(KObject prog) {
        KObject p = prog.isPointer() ? prog.deref() : prog;
        KObject aux = p.member("aux");
        String ksym = aux.hasMember("ksym.name") ? aux.member("ksym.name").string() : "";
        String name = ksym.isEmpty() ? aux.member("name").string() : KSYM_PREFIX.matcher(ksym).replaceFirst("");
        if (name.isEmpty()) name = aux.member("name").string();
        return new ProgRef(aux.member("id").intValue(), p.member("type").enumName(), name, ksym, p.address());
    }

    // ---- prog arrays ----

    /**
     * The owner of a map of programs: the program type (and more, per kernel) that claimed it.
     *
     * @param source which field path was read, e.g. {@code map->owner (pointer)}
     * @param fields every member the kernel's owner struct has, by name, as text (enums by name,
     *               pointers in hex), lock excluded
     */
    public record Owner(String source, int typeValue, String type, boolean jited, Map<String, String> fields) {}

    /** One occupied slot of a prog array. */
    public record Slot(int index, ProgRef prog) {}

    /**
     * @param pokePrograms programs with direct tail-call sites into this array ({@code poke_progs})
     */
    public record ProgArray(int id, String name, String type, int maxEntries, Optional<Owner> owner, List<Slot> slots,
                            List<ProgRef> pokePrograms) {}

    /** The prog array with this id; a map of another type or a missing id is a BpfException. */
    public ProgArray progArray(int mapId) {
        kernel.refresh();
        KObject map = mapObject(mapId).orElseThrow(() -> new BpfException("no map with id " + mapId + " in map_idr"));
        return progArray(map);
    }

    public ProgArray progArray(KObject mapOrPtr) {
        KObject map = mapOrPtr.isPointer() ? mapOrPtr.deref() : mapOrPtr;
        String type = map.member("map_type").enumName();
        int id = map.member("id").intValue();
        if (!type.equals("BPF_MAP_TYPE_PROG_ARRAY")) throw new BpfException("map " + id + " is " + type + ", not a prog array");
        int max = map.member("max_entries").intValue();
        KObject array = map.containerOf("struct bpf_array", "map");
        List<Slot> slots = new ArrayList<>();
        KObject ptrs = array.member("ptrs");
        if (max < 0 || max > 1 << 24) throw new BpfException("map " + id + ": max_entries " + Integer.toUnsignedString(max) + " is not plausible");
        // The slot table is read in large chunks: one read per 512 slots instead of one per slot.
        for (int base = 0; base < max; base += 512) {
            int n = Math.min(512, max - base);
            byte[] raw = kernel.memory().read(ptrs.address() + base * 8L, n * 8);
            for (int i = 0; i < n; i++) {
                long p = KernelMemory.le(java.util.Arrays.copyOfRange(raw, i * 8, i * 8 + 8), 8);
                if (p != 0) slots.add(new Slot(base + i, progRef(kernel.object(p, "struct bpf_prog"))));
            }
        }
        List<ProgRef> poke = new ArrayList<>();
        KObject aux = array.hasMember("aux") ? array.member("aux") : null; // bpf_array_aux: 5.5+
        if (aux != null && !aux.isNull() && aux.hasMember("poke_progs")) {
            for (KObject e : Walks.list(aux.member("poke_progs"), "struct prog_poke_elem", "list", MAX_FUNCS)) {
                poke.add(progRef(e.member("aux->prog")));
            }
        }
        return new ProgArray(id, map.member("name").string(), type, max, owner(map), List.copyOf(slots), List.copyOf(poke));
    }

    /**
     * The owner of a prog array (or another map of programs on 5.18+), empty while no program
     * has claimed it. The layout is chosen by which members the kernel's BTF has.
     */
    public Optional<Owner> owner(KObject mapOrPtr) {
        KObject map = mapOrPtr.isPointer() ? mapOrPtr.deref() : mapOrPtr;
        if (map.hasMember("owner")) {
            KObject o = map.member("owner");
            if (o.isPointer()) {
                if (o.isNull()) return Optional.empty();
                return readOwner(o.deref(), "map->owner (pointer)", null);
            }
            return readOwner(o, "map->owner (embedded)", null);
        }
        KObject array = map.containerOf("struct bpf_array", "map");
        if (kernel.hasMember("struct bpf_array_aux", "owner")) {
            KObject aux = array.member("aux");
            if (aux.isNull()) return Optional.empty();
            return readOwner(aux.member("owner"), "array->aux->owner", null);
        }
        if (kernel.hasMember("struct bpf_array_aux", "type")) {
            KObject aux = array.member("aux");
            if (aux.isNull()) return Optional.empty();
            return readOwner(aux.deref(), "array->aux", List.of("type", "jited"));
        }
        if (array.hasMember("owner_prog_type")) {
            Map<String, String> f = new LinkedHashMap<>();
            KObject t = array.member("owner_prog_type");
            if (t.value() == 0) return Optional.empty();
            f.put("type", t.enumName());
            f.put("jited", Boolean.toString(array.member("owner_jited").bool()));
            return Optional.of(new Owner("array->owner_prog_type", t.intValue(), t.enumName(), array.member("owner_jited").bool(),
                    Collections.unmodifiableMap(f)));
        }
        throw new BpfException("map " + map.member("id").intValue() + ": this kernel's BTF has no prog array owner field that bpf4j knows");
    }

    private Optional<Owner> readOwner(KObject owner, String source, List<String> only) {
        KObject t = owner.member("type");
        if (t.value() == 0) return Optional.empty(); // BPF_PROG_TYPE_UNSPEC: not claimed yet
        Map<String, String> fields = new LinkedHashMap<>();
        for (KObject m : owner.members()) {
            String n = m.name();
            if (n.equals("lock") || (only != null && !only.contains(n))) continue;
            fields.put(n, render(m));
        }
        boolean jited = owner.hasMember("jited") && owner.member("jited").bool();
        return Optional.of(new Owner(source, t.intValue(), t.enumName(), jited, Collections.unmodifiableMap(fields)));
    }

    /** A member as text: enums by name, bools, numbers, pointers in hex, small arrays in brackets. */
    static String render(KObject m) {
        try {
            BtfType r = m.resolvedType();
            if (r instanceof BtfType.Array a) {
                long n = Integer.toUnsignedLong(a.nelems());
                StringBuilder sb = new StringBuilder("[");
                for (long i = 0; i < Math.min(n, 16); i++) sb.append(i > 0 ? ", " : "").append(render(m.index(i)));
                return sb.append(n > 16 ? ", ...]" : "]").toString();
            }
            if (r instanceof BtfType.Composite) return m.format(2).replace('\n', ' ');
            if (r instanceof BtfType.Enumeration) return m.enumName();
            if (r instanceof BtfType.Ptr) return String.format("0x%x", m.pointer());
            if (r instanceof BtfType.Int i && (i.encoding() & BtfType.Int.BOOL) != 0) return Boolean.toString(m.bool());
            return Long.toString(m.value());
        } catch (BpfException e) {
            return "<" + e.getMessage() + ">";
        }
    }

    // ---- programs in detail ----

    /** One function of a program: the main program is index 0 when the program has subprograms. */
    public record Subprog(int index, String ksym, long start, long end) {}

    /**
     * A BPF trampoline. {@code flags} are the {@code BPF_TRAMP_F_*} bits (absent before the
     * field existed); {@code func} is the symbol at the trampoline's target address.
     */
    public record Trampoline(long address, long key, Optional<Integer> flags, List<String> flagNames, String func,
                             Optional<ProgRef> extensionProg) {}

    /**
     * Where an extension or tracing program attaches. Before attach the program holds its target
     * ({@code dstProg}, {@code dstTrampoline}); at attach the kernel moves both into the link and
     * leaves {@code saved_dst_prog_type}/{@code saved_dst_attach_type}.
     */
    public record Target(Optional<ProgRef> dstProg, String attachFuncName, int attachBtfId, Optional<Trampoline> dstTrampoline,
                         Optional<String> savedDstProgType, Optional<String> savedDstAttachType) {}

    /** A program as kernel memory has it: JIT state, reachability by tail calls, subprograms, used maps and its attach target. */
    public record Prog(ProgRef ref, boolean jited, String expectedAttachType, Optional<Boolean> tailCallReachable,
                       Optional<Boolean> sleepable, List<Subprog> subprogs, List<Integer> usedMaps, Optional<Target> target,
                       Map<String, String> extra) {}

    /**
     * Every program in one pass over {@code prog_idr}, all read from one memory snapshot (the
     * page cache is dropped once, not per program), for listing with details.
     */
    public List<Prog> progs() {
        kernel.refresh();
        List<Prog> out = new ArrayList<>();
        for (Walks.Entry e : Walks.idr(kernel.variable("prog_idr", "struct idr"))) {
            out.add(prog(kernel.object(e.pointer(), "struct bpf_prog")));
        }
        return out;
    }

    public Prog prog(int id) {
        kernel.refresh();
        return prog(progObject(id).orElseThrow(() -> new BpfException("no program with id " + id + " in prog_idr")));
    }

    public Prog prog(KObject progOrPtr) {
        KObject p = progOrPtr.isPointer() ? progOrPtr.deref() : progOrPtr;
        KObject aux = p.member("aux");
        ProgRef ref = progRef(p);
        Optional<Boolean> tcr = aux.hasMember("tail_call_reachable")
                ? Optional.of(aux.member("tail_call_reachable").bool()) : Optional.empty();
        Optional<Boolean> sleepable = aux.hasMember("sleepable") ? Optional.of(aux.member("sleepable").bool())
                : p.hasMember("sleepable") ? Optional.of(p.member("sleepable").bool()) : Optional.empty();
        List<Subprog> subs = new ArrayList<>();
        int funcCnt = aux.member("func_cnt").intValue();
        if (funcCnt < 0 || funcCnt > MAX_FUNCS) throw new BpfException("prog " + ref.id() + ": func_cnt " + funcCnt + " (torn read?)");
        if (funcCnt > 0 && !aux.member("func").isNull()) {
            for (int i = 0; i < funcCnt; i++) {
                KObject f = aux.member("func").index(i);
                if (f.isNull()) continue;
                // The entry address is func[i]->bpf_func, as prog info's jited_ksyms reports it. Newer
                // kernels register no ksym for func[0] (the main program's own ksym stands for it).
                KObject fp = f.deref();
                long start = fp.member("bpf_func").value();
                long end = start + Integer.toUnsignedLong(fp.member("jited_len").intValue());
                KObject fa = fp.member("aux");
                String ksym = fa.hasMember("ksym.name") ? fa.member("ksym.name").string() : "";
                if (ksym.isEmpty() && i == 0) ksym = ref.ksym();
                if (ksym.isEmpty()) ksym = fa.member("name").string();
                subs.add(new Subprog(i, ksym, start, end));
            }
        }
        List<Integer> maps = new ArrayList<>();
        int mapCnt = aux.member("used_map_cnt").intValue();
        if (mapCnt < 0 || mapCnt > MAX_FUNCS) throw new BpfException("prog " + ref.id() + ": used_map_cnt " + mapCnt + " (torn read?)");
        for (int i = 0; i < mapCnt; i++) maps.add(aux.member("used_maps").index(i).member("id").intValue());
        Optional<Target> target = Optional.empty();
        if (ref.type().equals("BPF_PROG_TYPE_EXT") || ref.type().equals("BPF_PROG_TYPE_TRACING")
                || ref.type().equals("BPF_PROG_TYPE_LSM")) {
            target = Optional.of(target(aux));
        }
        Map<String, String> extra = new LinkedHashMap<>();
        for (String f : List.of("is_extended", "prog_array_member_cnt", "attach_btf_id", "func_idx", "stack_depth",
                "max_tp_access", "verified_insns")) {
            if (aux.hasMember(f)) extra.put(f, render(aux.member(f)));
        }
        return new Prog(ref, p.member("jited").bool(), p.member("expected_attach_type").enumName(), tcr, sleepable,
                List.copyOf(subs), List.copyOf(maps), target, Collections.unmodifiableMap(extra));
    }

    private Target target(KObject aux) {
        Optional<ProgRef> dst = Optional.empty();
        if (aux.hasMember("dst_prog") && !aux.member("dst_prog").isNull()) dst = Optional.of(progRef(aux.member("dst_prog")));
        String func = aux.hasMember("attach_func_name") && !aux.member("attach_func_name").isNull()
                ? aux.member("attach_func_name").string() : "";
        Optional<Trampoline> tr = Optional.empty();
        String trMember = aux.hasMember("dst_trampoline") ? "dst_trampoline" : aux.hasMember("trampoline") ? "trampoline" : null;
        if (trMember != null && !aux.member(trMember).isNull()) tr = Optional.of(trampoline(aux.member(trMember)));
        Optional<String> savedType = aux.hasMember("saved_dst_prog_type")
                ? Optional.of(aux.member("saved_dst_prog_type").enumName()) : Optional.empty();
        Optional<String> savedAttach = aux.hasMember("saved_dst_attach_type")
                ? Optional.of(aux.member("saved_dst_attach_type").enumName()) : Optional.empty();
        return new Target(dst, func, aux.member("attach_btf_id").intValue(), tr, savedType, savedAttach);
    }

    /**
     * BPF_TRAMP_F_* bit names in bit order. They are #defines, not in BTF; the bits have kept
     * their values since each was added (RESTORE_REGS..SKIP_FRAME 5.5, IP_ARG 5.16,
     * RET_FENTRY_RET 5.17, ORIG_STACK/SHARE_IPMODIFY 6.0, TAIL_CALL_CTX 6.8).
     */
    static final List<String> TRAMP_FLAGS = List.of("RESTORE_REGS", "CALL_ORIG", "SKIP_FRAME", "IP_ARG", "RET_FENTRY_RET",
            "ORIG_STACK", "SHARE_IPMODIFY", "TAIL_CALL_CTX");

    public Trampoline trampoline(KObject trOrPtr) {
        KObject tr = trOrPtr.isPointer() ? trOrPtr.deref() : trOrPtr;
        Optional<Integer> flags = tr.hasMember("flags") ? Optional.of(tr.member("flags").intValue()) : Optional.empty();
        List<String> names = new ArrayList<>();
        flags.ifPresent(f -> {
            for (int b = 0; b < 32; b++) {
                if ((f & (1 << b)) != 0) names.add(b < TRAMP_FLAGS.size() ? TRAMP_FLAGS.get(b) : "BIT(" + b + ")");
            }
        });
        String func = "";
        if (tr.hasMember("func.addr")) {
            long addr = tr.member("func.addr").pointer();
            // Only an exact symbol is a name: a BPF target loaded after kallsyms was read would
            // otherwise show as some unrelated symbol plus a large offset.
            if (addr != 0) {
                func = kernel.symbols() == null ? "" : kernel.symbols().symbolize(addr).filter(s -> s.address() == addr)
                        .map(Kallsyms.Symbol::name).orElse("");
                if (func.isEmpty()) func = String.format("0x%x", addr);
            }
        }
        Optional<ProgRef> ext = Optional.empty();
        if (tr.hasMember("extension_prog") && !tr.member("extension_prog").isNull()) ext = Optional.of(progRef(tr.member("extension_prog")));
        return new Trampoline(tr.address(), tr.member("key").value(), flags, List.copyOf(names), func, ext);
    }

    // ---- links ----

    /**
     * @param target     a tracing link's target program (EXT: the program it replaces a function of)
     * @param trampoline a tracing link's trampoline
     */
    public record Link(int id, String type, Optional<ProgRef> prog, Optional<String> attachType, Optional<ProgRef> target,
                       Optional<Trampoline> trampoline) {}

    public Link link(int id) {
        kernel.refresh();
        return link(linkObject(id).orElseThrow(() -> new BpfException("no link with id " + id + " in link_idr")));
    }

    public Link link(KObject linkOrPtr) {
        KObject l = linkOrPtr.isPointer() ? linkOrPtr.deref() : linkOrPtr;
        String type = l.member("type").enumName();
        Optional<ProgRef> prog = l.member("prog").isNull() ? Optional.empty() : Optional.of(progRef(l.member("prog")));
        Optional<String> attach = l.hasMember("attach_type") ? Optional.of(l.member("attach_type").enumName()) : Optional.empty();
        Optional<ProgRef> target = Optional.empty();
        Optional<Trampoline> tr = Optional.empty();
        if (type.equals("BPF_LINK_TYPE_TRACING")) {
            // 5.19+ wraps the link in struct bpf_tramp_link; before, bpf_tracing_link embeds it directly.
            String path = kernel.hasMember("struct bpf_tracing_link", "link.link") ? "link.link" : "link";
            KObject tl = l.containerOf("struct bpf_tracing_link", path);
            if (tl.hasMember("attach_type")) attach = Optional.of(tl.member("attach_type").enumName());
            if (!tl.member("tgt_prog").isNull()) target = Optional.of(progRef(tl.member("tgt_prog")));
            if (!tl.member("trampoline").isNull()) tr = Optional.of(trampoline(tl.member("trampoline")));
        }
        return new Link(l.member("id").intValue(), type, prog, attach, target, tr);
    }

    /** Symbols, for callers that symbolize addresses in these facts. */
    public Kallsyms symbols() {
        return kernel.symbols();
    }

    @Override
    public void close() {
        kernel.close();
    }
}
