package io.bpf4j.loader;

import io.bpf4j.AttachType;
import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.Cpus;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.VerifierException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.core.CoreRelocator;
import io.bpf4j.link.Links;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loaded object: owns the maps it created, its programs, its BTF and the memory mappings of
 * its global data, and closes them all on {@link #close()}. Replacement maps passed in
 * {@link LoadOptions} stay owned by the caller. Links made by {@link #attach} belong to the
 * caller, who closes them (before or after the object: the kernel keeps what a link needs).
 */
public final class BpfObject implements AutoCloseable {
    private final ObjectSpec spec;
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, MemorySegment> mmaps = new LinkedHashMap<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Map<String, List<CoreRelocator.Result>> coreResults = new LinkedHashMap<>();
    private BtfHandle btf;
    private boolean closed;

    private BpfObject(ObjectSpec spec) {
        this.spec = spec;
    }

    /** Loads with {@link LoadOptions#defaults()}. */
    public static BpfObject load(ObjectSpec spec) {
        return load(spec, LoadOptions.defaults());
    }

    /**
     * Creates the maps, relocates (maps, global data, CO-RE) and loads every program. On failure
     * everything created so far is closed and the exception names the map or program; a
     * verifier rejection caused by a failed CO-RE relocation names that relocation.
     */
    public static BpfObject load(ObjectSpec spec, LoadOptions opts) {
        BpfObject o = new BpfObject(spec);
        try {
            o.loadBtf();
            o.createMaps(opts);
            o.loadPrograms(opts);
            o.fillProgArrays();
            return o;
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private void loadBtf() {
        if (spec.btfBytes() == null) return;
        byte[] b = BtfPatcher.sanitize(spec.btfBytes(), KernelBtfFeatures.get());
        btf = BtfHandle.load(b);
        owned.add(btf);
    }

    /** The map's name in the kernel: libbpf's, "<object prefix>.<section>" for global data. */
    static String kernelMapName(String object, MapDef m) {
        String n = m.name();
        if (m.kind() != MapDef.Kind.BTF && (n.equals(".data") || n.equals(".rodata") || n.equals(".bss")))
            n = object.substring(0, Math.min(8, object.length())) + n;
        StringBuilder sb = new StringBuilder();
        for (char c : n.toCharArray()) {
            if (sb.length() == 15) break;
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return sb.toString();
    }

    private void createMaps(LoadOptions opts) {
        for (MapDef d : spec.maps()) {
            BpfMap replacement = opts.mapReplacements().get(d.name());
            if (replacement != null) {
                checkCompatible(d, replacement, "replacement");
                maps.put(d.name(), replacement);
                continue;
            }
            Path pin = d.pinning() == MapDef.Pinning.BY_NAME ? Path.of(opts.pinRoot(), d.name()) : null;
            if (pin != null && Files.exists(pin)) {
                BpfMap m = BpfMap.pinned(pin.toString());
                owned.add(m);
                checkCompatible(d, m, "pinned " + pin);
                maps.put(d.name(), m);
                continue;
            }
            BpfMap m = create(d, kernelMapName(spec.name(), d));
            owned.add(m);
            maps.put(d.name(), m);
            if (d.data != null) initData(d, m);
            if (pin != null) m.pin(pin.toString());
        }
        for (MapDef d : spec.maps()) {
            if (d.type() == MapType.PROG_ARRAY || d.initialValues.isEmpty() || opts.mapReplacements().containsKey(d.name())) continue;
            BpfMap outer = maps.get(d.name());
            for (Map.Entry<Integer, String> e : d.initialValues.entrySet())
                outer.update(u32(e.getKey()), u32(maps.get(e.getValue()).fd().raw()), BpfMap.ANY);
        }
    }

    private BpfMap create(MapDef d, String kname) {
        MapSpec ms = d.toSpec(kname);
        if (d.type() == MapType.PERF_EVENT_ARRAY && d.maxEntries() == 0)
            ms = new MapSpec(ms.type(), kname, ms.keySize(), ms.valueSize(), Cpus.possible(), ms.flags(), null, null, 0, 0, ms.mapExtra());
        BpfMap inner = null;
        try {
            if (d.inner() != null) {
                inner = create(d.inner(), "");
                ms = ms.withInnerMap(inner);
            }
            if (btf != null && d.btfValueTypeId() != 0) {
                try {
                    return BpfMap.create(ms.withBtf(btf, d.btfKeyTypeId(), d.btfValueTypeId()));
                } catch (BpfException e) {
                    // As libbpf: an older kernel may refuse the BTF of a map type; the map works without it.
                    if (e.errno() != io.bpf4j.internal.sys.Errno.EINVAL && e.errno() != io.bpf4j.internal.sys.Errno.ENOTSUPP) throw e;
                }
            }
            return BpfMap.create(ms);
        } catch (BpfException e) {
            throw new BpfException("object " + spec.name() + ": map " + d.name(), e.errno(), e.hint(), e);
        } finally {
            if (inner != null) inner.close();
        }
    }

    private static void checkCompatible(MapDef d, BpfMap m, String what) {
        int max = d.type() == MapType.PERF_EVENT_ARRAY && d.maxEntries() == 0 ? m.maxEntries() : d.maxEntries();
        if (m.type() != d.type() || m.keySize() != d.keySize() || m.valueSize() != d.valueSize() || m.maxEntries() != max)
            throw new BpfException("map " + d.name() + ": " + what + " " + m + " is incompatible (want " + d.type().kernelName()
                    + " key " + d.keySize() + " value " + d.valueSize() + " max_entries " + max + ", have key " + m.keySize()
                    + " value " + m.valueSize() + " max_entries " + m.maxEntries() + ")");
    }

    private void initData(MapDef d, BpfMap m) {
        m.update(u32(0), d.data, BpfMap.ANY);
        if (d.kind() == MapDef.Kind.RODATA) m.freeze();
        if ((d.flags() & MapSpec.F_MMAPABLE) != 0) {
            long len = (d.valueSize() + 4095L) & ~4095L;
            int prot = d.kind() == MapDef.Kind.RODATA ? Syscalls.PROT_READ : Syscalls.PROT_READ | Syscalls.PROT_WRITE;
            long addr = Syscalls.mmap(len, prot, Syscalls.MAP_SHARED, m.fd().raw(), 0);
            if (addr < 0) throw new BpfException("mmap " + d.name(), (int) -addr, null);
            MemorySegment seg = MemorySegment.ofAddress(addr).reinterpret(len);
            mmaps.put(d.name(), seg.asSlice(0, d.valueSize()));
            owned.add(() -> Syscalls.munmap(seg, len));
        }
    }

    private void loadPrograms(LoadOptions opts) {
        CoreRelocator core = null;
        for (ProgramDef p : spec.programs()) {
            if (!p.autoload()) continue;
            if (p.type() == null)
                throw new BpfException("program " + p.name() + ": section " + p.section() + " names no program type; set one with type()");
            byte[] insns = p.instructions();
            List<CoreRelocator.Result> results = List.of();
            if (!p.coreRelos().isEmpty()) {
                if (core == null) core = new CoreRelocator(spec.btf(), opts.kernelBtf() != null ? opts.kernelBtf() : Btf.kernel());
                try {
                    results = core.relocate(insns, p.coreRelos());
                } catch (BpfFormatException e) {
                    throw new BpfFormatException("program " + p.name() + ": " + e.getMessage(), e);
                }
                coreResults.put(p.name(), results);
            }
            for (MapRef r : p.mapRefs()) {
                if (r.map() == null)
                    throw new BpfException("program " + p.name() + ": extern " + r.extern() + " (kconfig/ksym/kfunc) is not supported by this loader");
                BpfMap m = maps.get(r.map());
                int at = r.insn() * 8;
                BtfPatcher.put(insns, at + 4, m.fd().raw());
                if (r.value()) BtfPatcher.put(insns, at + 12, r.offset());
            }
            ProgramSpec ps = new ProgramSpec(p.type(), p.name().substring(0, Math.min(15, p.name().length())), insns,
                    spec.license().isEmpty() ? "GPL" : spec.license(), p.attachType(), spec.kernelVersion(), p.flags(),
                    null, null, null, 0, null, null, 0);
            if (btf != null && !p.funcInfo().isEmpty()) ps = ps.withBtf(btf, funcInfo(p), lineInfo(p));
            ps = withAttachTarget(p, ps, opts);
            try {
                programs.put(p.name(), BpfProgram.load(ps));
            } catch (VerifierException e) {
                throw explain(p, e, results);
            }
        }
    }

    private ProgramSpec withAttachTarget(ProgramDef p, ProgramSpec ps, LoadOptions opts) {
        boolean tracing = p.type() == ProgType.TRACING || p.type() == ProgType.LSM;
        if (p.type() == ProgType.EXT || (tracing && p.attachProgram() != null)) {
            if (p.attachProgram() == null || p.attachTarget() == null || p.attachTarget().isEmpty())
                throw new BpfException("program " + p.name() + ": freplace needs a target program and function: attachTo(program, function)");
            return ps.withAttachProg(p.attachProgram(), programFuncId(p.attachProgram(), p.attachTarget()));
        }
        if (!tracing) return ps;
        String t = p.attachTarget();
        if (t == null || t.isEmpty()) throw new BpfException("program " + p.name() + ": no attach target (section " + p.section() + ")");
        Btf k = opts.kernelBtf() != null ? opts.kernelBtf() : Btf.kernel();
        String name;
        BtfKind kind = BtfKind.FUNC;
        if (p.attachType() == AttachType.TRACE_RAW_TP) {
            name = "btf_trace_" + t;
            kind = BtfKind.TYPEDEF;
        } else if (p.attachType() == AttachType.LSM_MAC) name = "bpf_lsm_" + t;
        else if (p.attachType() == AttachType.TRACE_ITER) name = "bpf_iter_" + t;
        else name = t;
        BtfType f = k.findByName(name, kind).orElseThrow(() -> new BpfException(
                "program " + p.name() + ": attach target " + name + " not found in kernel BTF"));
        return ps.withAttachBtf(null, f.id());
    }

    /** The BTF id of function {@code fn} in a loaded program's BTF. */
    static int programFuncId(BpfProgram target, String fn) {
        int btfId = target.info().btfId();
        if (btfId == 0) throw new BpfException("attach to " + target.name() + ": the target program has no BTF");
        try (BtfHandle h = BtfHandle.fromId(btfId)) {
            Btf b = Btf.parse(h.bytes());
            return b.findByName(fn, BtfKind.FUNC).orElseThrow(() -> new BpfException(
                    "attach to " + target.name() + ": no function " + fn + " in its BTF")).id();
        }
    }

    private static byte[] funcInfo(ProgramDef p) {
        ByteBuffer b = ByteBuffer.allocate(8 * p.funcInfo().size()).order(ByteOrder.LITTLE_ENDIAN);
        for (BtfExt.FuncInfo f : p.funcInfo()) b.putInt(f.insn()).putInt(f.typeId());
        return b.array();
    }

    private static byte[] lineInfo(ProgramDef p) {
        if (p.lineInfo().isEmpty()) return null;
        ByteBuffer b = ByteBuffer.allocate(16 * p.lineInfo().size()).order(ByteOrder.LITTLE_ENDIAN);
        for (BtfExt.LineInfo l : p.lineInfo()) b.putInt(l.insn()).putInt(l.fileNameOff()).putInt(l.lineOff()).putInt(l.lineCol());
        return b.array();
    }

    private static final Pattern POISON = Pattern.compile("(?m)^(\\d+): \\(85\\) call unknown#" + CoreRelocator.POISON_IMM);

    /** Names the CO-RE relocation behind a poisoned instruction the verifier reached, as libbpf does. */
    private static VerifierException explain(ProgramDef p, VerifierException e, List<CoreRelocator.Result> results) {
        Matcher m = POISON.matcher(e.log());
        CoreRelocator.Result failed = null;
        int insn = -1;
        while (m.find()) insn = Integer.parseInt(m.group(1));
        for (CoreRelocator.Result r : results) {
            if (!r.poisoned()) continue;
            if (failed == null || r.relo().insn() == insn) failed = r;
        }
        if (failed == null || (insn < 0 && !e.log().contains("unknown#" + CoreRelocator.POISON_IMM))) return e;
        return new VerifierException(e.op() + ": " + failed.explain(), e.errno(), e.log(), e.truncated());
    }

    private void fillProgArrays() {
        for (MapDef d : spec.maps()) {
            if (d.type() != MapType.PROG_ARRAY || d.initialValues.isEmpty()) continue;
            BpfMap m = maps.get(d.name());
            for (Map.Entry<Integer, String> e : d.initialValues.entrySet()) {
                BpfProgram p = programs.get(e.getValue());
                if (p != null) m.update(u32(e.getKey()), u32(p.fd().raw()), BpfMap.ANY);
            }
        }
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    public ObjectSpec spec() {
        return spec;
    }

    public BpfProgram program(String name) {
        BpfProgram p = programs.get(name);
        if (p == null) throw new BpfException("object " + spec.name() + ": no program " + name + " (has " + programs.keySet() + ")");
        return p;
    }

    public BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) throw new BpfException("object " + spec.name() + ": no map " + name + " (has " + maps.keySet() + ")");
        return m;
    }

    public Map<String, BpfProgram> programs() {
        return Collections.unmodifiableMap(programs);
    }

    public Map<String, BpfMap> maps() {
        return Collections.unmodifiableMap(maps);
    }

    /** The object's BTF as loaded into the kernel, or null when it has none. */
    public BtfHandle btf() {
        return btf;
    }

    /** What each CO-RE relocation of a program resolved to. */
    public List<CoreRelocator.Result> coreRelocations(String program) {
        return coreResults.getOrDefault(program, List.of());
    }

    /**
     * A global data section mapped into this process ({@code ".bss"}, {@code ".data"},
     * {@code ".rodata"}...): reads see what programs wrote, writes (not for rodata) are seen by
     * programs. Valid until the object is closed.
     */
    public MemorySegment data(String section) {
        MemorySegment s = mmaps.get(section);
        if (s == null) throw new BpfException("object " + spec.name() + ": no mapped global data section " + section + " (has " + mmaps.keySet() + ")");
        return s;
    }

    /** A global variable's bytes in the mapped data section. */
    public MemorySegment variable(String name) {
        Variable v = spec.variable(name);
        return data(v.map()).asSlice(v.offset(), v.size());
    }

    /**
     * Attaches a program the way its section name says (kprobe/kretprobe/ksyscall, tracepoint,
     * raw tracepoint, fentry/fexit/fmod_ret/tp_btf/lsm, freplace, iter/ (read its output with
     * {@link io.bpf4j.link.IterStream#open})). The caller owns the link.
     * XDP programs attach with {@link #attachXdp}; others (socket filters, tc...) with their fd.
     */
    public BpfLink attach(String name) {
        ProgramDef d = spec.program(name);
        BpfProgram p = program(name);
        SectionKind k = d.kind();
        if (k == null) throw new BpfException("attach " + name + ": section " + d.section() + " does not say how to attach");
        String t = d.attachTarget();
        return switch (k.attach()) {
            case KPROBE, KRETPROBE -> {
                requireTarget(name, t);
                long off = 0;
                String fn = t;
                int plus = t.indexOf('+');
                if (plus > 0) {
                    fn = t.substring(0, plus);
                    off = Long.decode(t.substring(plus + 1));
                }
                yield Links.kprobe(p, fn, off, k.attach() == SectionKind.Attach.KRETPROBE);
            }
            case KSYSCALL, KRETSYSCALL -> {
                requireTarget(name, t);
                String prefix = switch (System.getProperty("os.arch")) {
                    case "aarch64" -> "__arm64_sys_";
                    case "s390x" -> "__s390x_sys_";
                    default -> "__x64_sys_";
                };
                yield Links.kprobe(p, prefix + t, 0, k.attach() == SectionKind.Attach.KRETSYSCALL);
            }
            case TRACEPOINT -> {
                requireTarget(name, t);
                int slash = t.indexOf('/');
                if (slash <= 0) throw new BpfException("attach " + name + ": tracepoint target " + t + " is not category/name");
                yield Links.tracepoint(p, t.substring(0, slash), t.substring(slash + 1));
            }
            case RAW_TRACEPOINT -> {
                requireTarget(name, t);
                yield Links.rawTracepoint(p, t);
            }
            case TRACING, EXT -> Links.tracing(p);
            case ITER -> Links.iterator(p, null);
            default -> throw new BpfException("attach " + name + ": " + k.prefix() + " programs are attached by the caller (use program(\"" + name + "\").fd())");
        };
    }

    /** Attaches an XDP program to an interface through a link (5.9+). */
    public BpfLink attachXdp(String name, int ifindex, int flags) {
        return Links.xdp(program(name), ifindex, flags);
    }

    private static void requireTarget(String name, String t) {
        if (t == null || t.isEmpty()) throw new BpfException("attach " + name + ": no target in the section name; set one with attachTarget()");
    }

    /** Closes programs, maps it created, BTF and mappings, newest first. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        List<AutoCloseable> all = new ArrayList<>(owned);
        all.addAll(programs.values());
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new BpfException("close", e);
            }
        }
        mmaps.clear();
        if (first != null) throw first;
    }
}
