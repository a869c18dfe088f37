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
import io.bpf4j.ProgramSpec.Reference;
import io.bpf4j.VerifierException;
import io.bpf4j.asm.CallKind;
import io.bpf4j.asm.Insn;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.core.CoreRelocator;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Syscalls;
import io.bpf4j.link.Links;

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
     * Creates the maps, relocates the programs (CO-RE, then map fds and kfunc ids into the
     * instructions the spec's references name) and loads every program whose
     * {@link ProgramSpec#autoload()} is true. On failure everything created so far is closed and
     * the exception names the map or program; a verifier rejection caused by a failed CO-RE
     * relocation names that relocation. The object keeps a copy of {@code spec}: changing
     * {@code spec} later does not change it.
     */
    public static BpfObject load(ObjectSpec spec, LoadOptions opts) {
        BpfObject o = new BpfObject(spec.copy());
        try {
            o.checkExterns();
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

    /** Fails before anything is created when a program to load needs an extern this loader cannot provide. */
    private void checkExterns() {
        for (ProgramSpec p : spec.programs()) {
            if (!p.autoload()) continue;
            for (Reference r : p.references())
                if (r.kind() == Reference.Kind.EXTERN)
                    throw new BpfException("program " + p.name() + ": extern " + r.symbol() + " (kconfig/ksym) is not supported by this loader");
        }
    }

    private void loadBtf() {
        if (spec.btfBytes() == null) return;
        byte[] b = BtfPatcher.sanitize(spec.btfBytes(), KernelBtfFeatures.get());
        btf = BtfHandle.load(b);
        owned.add(btf);
    }

    /** The map's name in the kernel: libbpf's, "<object prefix>.<section>" for global data. */
    static String kernelMapName(String object, MapSpec m) {
        String n = m.name();
        if (m.kind().globalData() && (n.equals(".data") || n.equals(".rodata") || n.equals(".bss")))
            n = object.substring(0, Math.min(8, object.length())) + n;
        StringBuilder sb = new StringBuilder();
        for (char c : n.toCharArray()) {
            if (sb.length() == 15) break;
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return sb.toString();
    }

    private void createMaps(LoadOptions opts) {
        for (Map.Entry<String, MapSpec> e : spec.mapEntries()) {
            String name = e.getKey();
            MapSpec d = e.getValue();
            BpfMap replacement = opts.mapReplacements().get(name);
            if (replacement != null) {
                checkCompatible(name, d, replacement, "replacement");
                maps.put(name, replacement);
                continue;
            }
            Path pin = d.pinning() == MapSpec.Pinning.BY_NAME ? Path.of(opts.pinRoot(), name) : null;
            if (pin != null && Files.exists(pin)) {
                BpfMap m = BpfMap.pinned(pin.toString());
                owned.add(m);
                checkCompatible(name, d, m, "pinned " + pin);
                maps.put(name, m);
                continue;
            }
            BpfMap m = create(name, d, kernelMapName(spec.name(), d));
            owned.add(m);
            maps.put(name, m);
            if (d.contents() != null) initData(name, d, m);
            if (pin != null) m.pin(pin.toString());
        }
        for (Map.Entry<String, MapSpec> e : spec.mapEntries()) {
            MapSpec d = e.getValue();
            if (d.type() == MapType.PROG_ARRAY || d.initialSlots().isEmpty() || opts.mapReplacements().containsKey(e.getKey())) continue;
            BpfMap outer = maps.get(e.getKey());
            for (Map.Entry<Integer, String> slot : d.initialSlots().entrySet()) {
                BpfMap inner = maps.get(slot.getValue());
                if (inner == null) throw new BpfException("map " + e.getKey() + " slot " + slot.getKey() + ": no map " + slot.getValue());
                outer.update(u32(slot.getKey()), u32(inner.fd().raw()), BpfMap.ANY);
            }
        }
    }

    private BpfMap create(String name, MapSpec d, String kname) {
        MapSpec ms = d.withName(kname).withBtf(null, 0, 0);
        if (d.type() == MapType.PERF_EVENT_ARRAY && d.maxEntries() == 0) ms = ms.withMaxEntries(Cpus.possible());
        MapSpec inner = d.innerMap();
        if (inner != null) ms = ms.withInnerMap(inner.withBtf(null, 0, 0));
        try {
            boolean typed = d.btfValueTypeId() != 0 || (inner != null && inner.btfValueTypeId() != 0);
            if (btf != null && typed) {
                MapSpec withBtf = ms.withBtf(btf, d.btfKeyTypeId(), d.btfValueTypeId());
                if (inner != null) withBtf = withBtf.withInnerMap(inner.withBtf(btf, inner.btfKeyTypeId(), inner.btfValueTypeId()));
                try {
                    return BpfMap.create(withBtf);
                } catch (BpfException e) {
                    // As libbpf: an older kernel may refuse the BTF of a map type; the map works without it.
                    if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOTSUPP) throw e;
                }
            }
            return BpfMap.create(ms);
        } catch (BpfException e) {
            throw new BpfException("object " + spec.name() + ": map " + name, e.errno(), e.hint(), e);
        }
    }

    private static void checkCompatible(String name, MapSpec d, BpfMap m, String what) {
        int max = d.type() == MapType.PERF_EVENT_ARRAY && d.maxEntries() == 0 ? m.maxEntries() : d.maxEntries();
        if (m.type() != d.type() || m.keySize() != d.keySize() || m.valueSize() != d.valueSize() || m.maxEntries() != max)
            throw new BpfException("map " + name + ": " + what + " " + m + " is incompatible (want " + d.type().kernelName()
                    + " key " + d.keySize() + " value " + d.valueSize() + " max_entries " + max + ", have key " + m.keySize()
                    + " value " + m.valueSize() + " max_entries " + m.maxEntries() + ")");
    }

    private void initData(String name, MapSpec d, BpfMap m) {
        byte[] value = d.contentsBytes();
        if (value.length != d.valueSize())
            throw new BpfException("map " + name + ": initial contents of " + value.length + " bytes for a value of " + d.valueSize());
        m.update(u32(0), value, BpfMap.ANY);
        if (d.kind() == MapSpec.Kind.RODATA) m.freeze();
        if ((d.flags() & MapSpec.F_MMAPABLE) != 0) {
            long len = (d.valueSize() + 4095L) & ~4095L;
            int prot = d.kind() == MapSpec.Kind.RODATA ? Syscalls.PROT_READ : Syscalls.PROT_READ | Syscalls.PROT_WRITE;
            long addr = Syscalls.mmap(len, prot, Syscalls.MAP_SHARED, m.fd().raw(), 0);
            if (addr < 0) throw new BpfException("mmap " + name, (int) -addr, null);
            MemorySegment seg = MemorySegment.ofAddress(addr).reinterpret(len);
            mmaps.put(name, seg.asSlice(0, d.valueSize()));
            owned.add(() -> Syscalls.munmap(seg, len));
        }
    }

    private void loadPrograms(LoadOptions opts) {
        CoreRelocator core = null;
        Btf kernel = null;
        for (ProgramSpec p : spec.programs()) {
            if (!p.autoload()) continue;
            if (p.type() == ProgType.UNSPEC)
                throw new BpfException("program " + p.name() + ": section " + p.sectionName() + " names no program type; set one with withType()");
            List<Insn> insns = p.instructions();
            List<CoreRelocator.Result> results = List.of();
            if (!p.coreRelos().isEmpty()) {
                if (spec.btf() == null) throw new BpfFormatException("program " + p.name() + ": CO-RE relocations without object BTF");
                if (kernel == null) kernel = opts.kernelBtf() != null ? opts.kernelBtf() : Btf.kernel();
                if (core == null) core = new CoreRelocator(spec.btf(), kernel);
                try {
                    CoreRelocator.Relocated r = core.relocate(insns, p.coreRelos());
                    insns = r.instructions();
                    results = r.results();
                } catch (BpfFormatException e) {
                    throw new BpfFormatException("program " + p.name() + ": " + e.getMessage(), e);
                }
                coreResults.put(p.name(), results);
            }
            if (!p.references().isEmpty()) {
                if (kernel == null && p.references().stream().anyMatch(r -> r.kind() == Reference.Kind.KFUNC))
                    kernel = opts.kernelBtf() != null ? opts.kernelBtf() : Btf.kernel();
                insns = resolve(p, insns, kernel);
            }
            ProgramSpec ps = p.withName(p.name().substring(0, Math.min(15, p.name().length()))).withInstructions(insns)
                    .withBtf(btf != null && !p.funcInfo().isEmpty() ? btf : null, p.funcInfo(), p.lineInfo());
            ps = withAttachTarget(p, ps, opts);
            try {
                programs.put(p.name(), BpfProgram.load(ps));
            } catch (VerifierException e) {
                throw explain(p, e, results);
            }
        }
    }

    /** The instructions with each reference filled in: map fds into ld_imm64s, kfunc BTF ids into calls. */
    private List<Insn> resolve(ProgramSpec p, List<Insn> insns, Btf kernel) {
        InsnSlots slots = new InsnSlots(insns);
        String what = "program " + p.name();
        for (Reference r : p.references()) {
            switch (r.kind()) {
                case MAP -> {
                    BpfMap m = maps.get(r.symbol());
                    if (m == null) throw new BpfException(what + ": instruction " + r.insn() + " refers to map " + r.symbol() + ", which the object does not have");
                    if (!(slots.at(r.insn(), what) instanceof Insn.LdImm64 ld))
                        throw new BpfException(what + ": instruction " + r.insn() + " refers to map " + r.symbol() + " but is no ld_imm64");
                    long fd = m.fd().raw() & 0xffffffffL;
                    slots.set(r.insn(), new Insn.LdImm64(ld.dst(), ld.pseudo(), (ld.imm() & 0xffffffff00000000L) | fd), what);
                }
                case KFUNC -> {
                    if (!(slots.at(r.insn(), what) instanceof Insn.Call))
                        throw new BpfException(what + ": instruction " + r.insn() + " calls kfunc " + r.symbol() + " but is no call");
                    BtfType f = kernel.findByName(r.symbol(), BtfKind.FUNC).orElseThrow(() -> new BpfException(
                            what + ": kfunc " + r.symbol() + " not found in the kernel's BTF (vmlinux; module kfuncs are not supported)"));
                    slots.set(r.insn(), new Insn.Call(CallKind.KFUNC, f.id(), 0), what);
                }
                case EXTERN -> throw new BpfException(what + ": extern " + r.symbol() + " (kconfig/ksym) is not supported by this loader");
            }
        }
        return slots.toList();
    }

    private ProgramSpec withAttachTarget(ProgramSpec p, ProgramSpec ps, LoadOptions opts) {
        if (p.attachBtfId() != 0) return ps;
        boolean tracing = p.type() == ProgType.TRACING || p.type() == ProgType.LSM;
        if (p.type() == ProgType.EXT || (tracing && p.attachProg() != null)) {
            if (p.attachProg() == null || p.attachTarget().isEmpty())
                throw new BpfException("program " + p.name() + ": freplace needs a target program and function: withAttachTo(program, function)");
            return ps.withAttachProg(p.attachProg(), programFuncId(p.attachProg(), p.attachTarget()));
        }
        if (!tracing) return ps;
        String t = p.attachTarget();
        if (t.isEmpty()) throw new BpfException("program " + p.name() + ": no attach target (section " + p.sectionName() + ")");
        Btf k = opts.kernelBtf() != null ? opts.kernelBtf() : Btf.kernel();
        String name;
        BtfKind kind = BtfKind.FUNC;
        if (p.expectedAttachType() == AttachType.TRACE_RAW_TP) {
            name = "btf_trace_" + t;
            kind = BtfKind.TYPEDEF;
        } else if (p.expectedAttachType() == AttachType.LSM_MAC) name = "bpf_lsm_" + t;
        else if (p.expectedAttachType() == AttachType.TRACE_ITER) name = "bpf_iter_" + t;
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

    private static final Pattern POISON = Pattern.compile("(?m)^(\\d+): \\(85\\) call unknown#" + CoreRelocator.POISON_IMM);

    /** Names the CO-RE relocation behind a poisoned instruction the verifier reached, as libbpf does. */
    private static VerifierException explain(ProgramSpec p, VerifierException e, List<CoreRelocator.Result> results) {
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
        for (Map.Entry<String, MapSpec> d : spec.mapEntries()) {
            if (d.getValue().type() != MapType.PROG_ARRAY || d.getValue().initialSlots().isEmpty()) continue;
            BpfMap m = maps.get(d.getKey());
            for (Map.Entry<Integer, String> e : d.getValue().initialSlots().entrySet()) {
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
        ProgramSpec d = spec.program(name);
        BpfProgram p = program(name);
        SectionKind k = SectionKind.of(d.sectionName());
        if (k == null) throw new BpfException("attach " + name + ": section " + d.sectionName() + " does not say how to attach");
        String t = d.attachTarget();
        return switch (k.attach()) {
            case KPROBE, KRETPROBE -> {
                requireTarget(name, t);
                long off = 0;
                String fn = t;
                int plus = t.indexOf('+');
                if (plus > 0) {
                    fn = t.substring(0, plus);
                    try {
                        off = Long.decode(t.substring(plus + 1));
                    } catch (NumberFormatException e) {
                        throw new BpfException("attach " + name + ": kprobe target " + t + ": offset " + t.substring(plus + 1) + " is not a number");
                    }
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
        if (t == null || t.isEmpty()) throw new BpfException("attach " + name + ": no target in the section name; set one with withAttachTarget()");
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
