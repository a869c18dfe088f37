package io.bpf4j.loader;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.core.CoreRelo;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfRelocation;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A clang-built BPF object ({@code .bpf.o}) read into specs, with no kernel involved: its
 * programs (subprograms linked in), maps (BTF-defined and global data), global variables, BTF,
 * {@code .BTF.ext} records, license and kernel version. Change settings on the returned
 * {@link ProgramDef}s and {@link MapDef}s, or set variables, then {@link BpfObject#load} it.
 *
 * <pre>{@code
 * ObjectSpec spec = ObjectSpec.read(Path.of("probe.bpf.o"));
 * spec.setVariable("target_pid", 1234);                 // a const volatile in .rodata
 * try (BpfObject obj = BpfObject.load(spec, LoadOptions.defaults())) {
 *     obj.attach("handle_exec");
 *     obj.map("counts").lookup(key);
 * }
 * }</pre>
 *
 * <p>Malformed objects fail with a {@link BpfFormatException} naming the section or symbol.
 */
public final class ObjectSpec {
    static final int BPF_PSEUDO_MAP_FD = 1, BPF_PSEUDO_MAP_VALUE = 2, BPF_PSEUDO_CALL = 1, BPF_PSEUDO_FUNC = 4,
            BPF_PSEUDO_KFUNC_CALL = 2;
    static final int OP_CALL = 0x85, OP_LD_IMM64 = 0x18;

    private final String name;
    private final String license;
    private final int kernelVersion;
    private final Btf btf;
    private final byte[] btfBytes;
    private final Map<String, MapDef> maps;
    private final Map<String, ProgramDef> programs;
    private final Map<String, Variable> variables;

    private ObjectSpec(String name, String license, int kernelVersion, Btf btf, byte[] btfBytes, Map<String, MapDef> maps,
                       Map<String, ProgramDef> programs, Map<String, Variable> variables) {
        this.name = name;
        this.license = license;
        this.kernelVersion = kernelVersion;
        this.btf = btf;
        this.btfBytes = btfBytes;
        this.maps = maps;
        this.programs = programs;
        this.variables = variables;
    }

    /** Reads an object file. */
    public static ObjectSpec read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BpfException("read " + file + ": no such file");
        } catch (IOException e) {
            throw new BpfException("read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(b, objectName(file.getFileName().toString()));
        } catch (BpfFormatException e) {
            throw new BpfFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an object from this module's resources or, on the class path, from anywhere on it,
     * e.g. {@code "/io/bpf4j/loader/maps.bpf.o"}. Another module's objects are read with
     * {@link #read(InputStream, String)} on a stream that module opened itself.
     */
    public static ObjectSpec resource(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        try (InputStream in = ObjectSpec.class.getResourceAsStream(p)) {
            return read(in, p);
        } catch (IOException e) {
            throw new BpfException("read classpath resource " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an object from a stream; {@code path} names it in errors and gives the object's name
     * (its file name up to the first '.'). A {@code null} stream is a resource that was not found.
     */
    public static ObjectSpec read(InputStream in, String path) {
        if (in == null) throw new BpfException("read classpath resource " + path + ": not found");
        try {
            byte[] b = in.readAllBytes();
            try {
                return parse(b, objectName(path.substring(path.lastIndexOf('/') + 1)));
            } catch (BpfFormatException e) {
                throw new BpfFormatException(path + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new BpfException("read classpath resource " + path + ": " + e.getMessage(), e);
        }
    }

    /** libbpf's object name: the file name up to its first '.'. */
    static String objectName(String file) {
        int dot = file.indexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** Parses object bytes; {@code name} prefixes the kernel names of global data maps. */
    public static ObjectSpec parse(byte[] data, String name) {
        try {
            return new Parser(ElfFile.parse(data), name).parse();
        } catch (BpfException e) {
            throw e;
        } catch (RuntimeException e) {
            // A safety net: every check we know of throws BpfFormatException itself (the fuzz test
            // fails when this fires), but a user must never see an index or cast exception.
            throw new BpfFormatException("malformed object: " + e, e);
        }
    }

    public String name() {
        return name;
    }

    /** The {@code license} section, e.g. {@code "GPL"}; "" when the object has none. */
    public String license() {
        return license;
    }

    /** The {@code version} section (LINUX_VERSION_CODE), 0 when absent. */
    public int kernelVersion() {
        return kernelVersion;
    }

    /** The object's BTF with DATASEC sizes and offsets filled in, or null when it has none. */
    public Btf btf() {
        return btf;
    }

    byte[] btfBytes() {
        return btfBytes;
    }

    public Collection<ProgramDef> programs() {
        return Collections.unmodifiableCollection(programs.values());
    }

    public Collection<MapDef> maps() {
        return Collections.unmodifiableCollection(maps.values());
    }

    public Collection<Variable> variables() {
        return Collections.unmodifiableCollection(variables.values());
    }

    /** A program by function name. */
    public ProgramDef program(String n) {
        ProgramDef p = programs.get(n);
        if (p == null) throw new BpfException("object " + name + ": no program " + n + " (has " + programs.keySet() + ")");
        return p;
    }

    /** A map by name (a {@code .maps} variable, or a global data section such as {@code ".rodata"}). */
    public MapDef map(String n) {
        MapDef m = maps.get(n);
        if (m == null) throw new BpfException("object " + name + ": no map " + n + " (has " + maps.keySet() + ")");
        return m;
    }

    public Optional<Variable> findVariable(String n) {
        return Optional.ofNullable(variables.get(n));
    }

    public Variable variable(String n) {
        Variable v = variables.get(n);
        if (v == null) throw new BpfException("object " + name + ": no global variable " + n + " (has " + variables.keySet() + ")");
        return v;
    }

    /** Sets a global variable's initial value; {@code bytes} must be exactly its size. */
    public ObjectSpec setVariable(String n, byte[] bytes) {
        Variable v = variable(n);
        if (bytes.length != v.size())
            throw new BpfException("variable " + n + " is " + v.size() + " bytes, got " + bytes.length);
        maps.get(v.map()).write(v.offset(), bytes);
        return this;
    }

    /** Sets a 1, 2, 4 or 8 byte integer variable, little endian. */
    public ObjectSpec setVariable(String n, long value) {
        Variable v = variable(n);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        if (v.size() != 1 && v.size() != 2 && v.size() != 4 && v.size() != 8)
            throw new BpfException("variable " + n + " is " + v.size() + " bytes, not an integer");
        byte[] out = new byte[v.size()];
        System.arraycopy(b.array(), 0, out, 0, v.size());
        return setVariable(n, out);
    }

    /** A deep copy, so one parsed object can be loaded several times with different settings. */
    public ObjectSpec copy() {
        Map<String, MapDef> m = new LinkedHashMap<>();
        maps.forEach((k, v) -> m.put(k, v.copy()));
        Map<String, ProgramDef> p = new LinkedHashMap<>();
        programs.forEach((k, v) -> p.put(k, v.copy()));
        return new ObjectSpec(name, license, kernelVersion, btf, btfBytes, m, p, variables);
    }

    @Override
    public String toString() {
        return "ObjectSpec[" + name + " programs " + programs.keySet() + " maps " + maps.keySet() + "]";
    }

    /** One pass over the ELF file. */
    private static final class Parser {
        private final ElfFile elf;
        private final String name;
        private final List<ElfSymbol>[] symbolsBySection;
        private final Map<Integer, Map<Integer, ElfRelocation>> relocs = new HashMap<>();
        private final Map<String, MapDef> maps = new LinkedHashMap<>();
        private final Map<Integer, MapDef> dataMaps = new HashMap<>();
        private final Map<String, Variable> variables = new LinkedHashMap<>();
        private int mapsSection = -1;
        private Btf btf;
        private BtfExt ext = BtfExt.empty();

        @SuppressWarnings("unchecked")
        Parser(ElfFile elf, String name) {
            this.elf = elf;
            this.name = name;
            if (elf.machine() != ElfFile.EM_BPF && elf.machine() != 0)
                throw new BpfFormatException("ELF: machine " + elf.machine() + " is not BPF (247)");
            symbolsBySection = new List[elf.sections().size()];
            for (ElfSymbol s : elf.symbols()) {
                if (s.section() <= 0 || s.section() >= symbolsBySection.length) continue;
                if (symbolsBySection[s.section()] == null) symbolsBySection[s.section()] = new ArrayList<>();
                symbolsBySection[s.section()].add(s);
            }
        }

        ObjectSpec parse() {
            String license = elf.section("license").map(s -> cString(elf.contents(s))).orElse("");
            int version = elf.section("version").map(s -> {
                byte[] b = elf.contents(s);
                if (b.length != 4) throw new BpfFormatException("section version: " + b.length + " bytes, want 4");
                return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
            }).orElse(0);
            byte[] btfBytes = null;
            Optional<ElfSection> btfSec = elf.section(".BTF");
            if (btfSec.isPresent()) {
                btfBytes = elf.contents(btfSec.get());
                Btf raw = Btf.parse(btfBytes);
                Map<String, Long> sizes = new HashMap<>();
                for (ElfSection s : elf.sections()) sizes.put(s.name(), s.size());
                BtfPatcher.fixDatasecs(btfBytes, raw, sizes, this::symbolValue);
                btf = Btf.parse(btfBytes);
                Optional<ElfSection> extSec = elf.section(".BTF.ext");
                if (extSec.isPresent()) ext = BtfExt.parse(elf.contents(extSec.get()), btf);
            }
            for (ElfSection s : elf.sections()) {
                if (s.type() != ElfFile.SHT_REL && s.type() != ElfFile.SHT_RELA) continue;
                ElfSection target = elf.section(s.info(), "relocation section " + Escape.text(s.name()));
                if (!target.executable() && !target.name().equals(".maps")) continue;
                Map<Integer, ElfRelocation> m = new HashMap<>();
                for (ElfRelocation r : elf.relocations(s)) {
                    if (r.offset() % 8 != 0 || r.offset() >= target.size())
                        throw new BpfFormatException("section " + Escape.text(s.name()) + ": relocation offset " + r.offset() + " outside or unaligned in " + Escape.text(target.name()));
                    m.put((int) (r.offset() / 8), r);
                }
                relocs.put(target.index(), m);
            }
            for (ElfSection s : elf.sections()) dataSection(s);
            elf.section(".maps").ifPresent(this::btfMaps);
            if (elf.section("maps").isPresent())
                throw new BpfFormatException("legacy 'maps' section (struct bpf_map_def) is not supported: declare maps in SEC(\".maps\") with BTF");
            Map<String, ProgramDef> programs = new LinkedHashMap<>();
            for (ElfSection s : elf.sections()) {
                if (!s.executable() || s.name().equals(".text") || s.size() == 0) continue;
                if (s.size() % 8 != 0) throw new BpfFormatException("section " + Escape.text(s.name()) + ": size " + s.size() + " is not a multiple of 8");
                for (ElfSymbol sym : functions(s.index())) {
                    if (programs.containsKey(sym.name())) throw new BpfFormatException("two programs named " + Escape.text(sym.name()));
                    programs.put(sym.name(), link(s, sym));
                }
            }
            if (mapsSection >= 0) initialValues(programs);
            return new ObjectSpec(name, license, version, btf, btfBytes, maps, programs, variables);
        }

        private long symbolValue(String section, String var) {
            Optional<ElfSection> s = elf.section(section);
            if (s.isEmpty() || symbolsBySection[s.get().index()] == null) return -1;
            for (ElfSymbol sym : symbolsBySection[s.get().index()])
                if (sym.name().equals(var) && sym.type() == ElfSymbol.STT_OBJECT) return sym.value();
            return -1;
        }

        private List<ElfSymbol> functions(int section) {
            List<ElfSymbol> out = new ArrayList<>();
            if (symbolsBySection[section] == null) return out;
            ElfSection sec = elf.sections().get(section);
            if (sec.type() == ElfFile.SHT_NOBITS) throw new BpfFormatException("section " + Escape.text(sec.name()) + ": code without contents (SHT_NOBITS)");
            for (ElfSymbol sym : symbolsBySection[section]) {
                if (sym.type() != ElfSymbol.STT_FUNC) continue;
                // value and size are u64: compared unsigned, so a huge one cannot wrap past the check.
                if (sym.value() % 8 != 0 || sym.size() % 8 != 0 || sym.size() == 0 || Long.compareUnsigned(sym.value(), sec.size()) > 0
                        || Long.compareUnsigned(sym.size(), sec.size() - sym.value()) > 0)
                    throw new BpfFormatException("function " + Escape.text(sym.name()) + " [" + Long.toUnsignedString(sym.value()) + ", +"
                            + Long.toUnsignedString(sym.size()) + ") is not whole instructions inside " + Escape.text(sec.name()));
                out.add(sym);
            }
            out.sort((a, b) -> Long.compare(a.value(), b.value()));
            return out;
        }

        private static boolean isDataSection(String n) {
            return n.equals(".data") || n.equals(".rodata") || n.equals(".bss") || n.startsWith(".data.") || n.startsWith(".rodata.")
                    || n.startsWith(".bss.");
        }

        private void dataSection(ElfSection s) {
            if (!isDataSection(s.name()) || !s.alloc() || s.size() == 0) return;
            if (s.type() != ElfFile.SHT_PROGBITS && s.type() != ElfFile.SHT_NOBITS) return;
            if (s.name().startsWith(".rodata.str") || s.name().startsWith(".rodata.cst")) {
                // String literals: still a data map, as libbpf makes .rodata.str1.1 part of .rodata maps.
            }
            MapDef.Kind kind = s.name().startsWith(".rodata") ? MapDef.Kind.RODATA
                    : s.name().startsWith(".bss") ? MapDef.Kind.BSS : MapDef.Kind.DATA;
            if (s.size() > Integer.MAX_VALUE - 8) throw new BpfFormatException("section " + Escape.text(s.name()) + " too large");
            MapDef m = new MapDef(s.name(), kind);
            m.type = MapType.ARRAY;
            m.keySize = 4;
            m.valueSize = (int) s.size();
            m.maxEntries = 1;
            m.flags = MapSpec.F_MMAPABLE | (kind == MapDef.Kind.RODATA ? MapSpec.F_RDONLY_PROG : 0);
            m.data = elf.contents(s);
            if (btf != null) btf.findByName(s.name(), io.bpf4j.btf.BtfKind.DATASEC).ifPresent(t -> m.btfValueTypeId = t.id());
            maps.put(m.name(), m);
            dataMaps.put(s.index(), m);
            if (symbolsBySection[s.index()] != null) {
                for (ElfSymbol sym : symbolsBySection[s.index()]) {
                    if (sym.type() != ElfSymbol.STT_OBJECT || sym.name().isEmpty()) continue;
                    if (sym.value() + sym.size() > s.size() || sym.value() < 0)
                        throw new BpfFormatException("variable " + Escape.text(sym.name()) + " lies outside section " + Escape.text(s.name()));
                    int typeId = 0;
                    if (btf != null && btf.typeById(m.btfValueTypeId) instanceof BtfType.Datasec ds) {
                        for (BtfType.VarSecinfo v : ds.vars())
                            if (v.offset() == sym.value() && btf.typeById(v.type()) instanceof BtfType.Var var && var.name().equals(sym.name()))
                                typeId = var.type();
                    }
                    variables.putIfAbsent(sym.name(), new Variable(sym.name(), s.name(), (int) sym.value(), (int) sym.size(), typeId));
                }
            }
        }

        private void btfMaps(ElfSection s) {
            mapsSection = s.index();
            if (btf == null) throw new BpfFormatException("section .maps needs BTF (compile with -g)");
            BtfType.Datasec ds = (BtfType.Datasec) btf.findByName(".maps", io.bpf4j.btf.BtfKind.DATASEC)
                    .orElseThrow(() -> new BpfFormatException("section .maps has no DATASEC in BTF"));
            for (BtfType.VarSecinfo vs : ds.vars()) {
                if (!(btf.typeById(vs.type()) instanceof BtfType.Var var))
                    throw new BpfFormatException(".maps DATASEC entry " + vs.type() + " is not a VAR");
                MapDef m = mapFromBtf(var.name(), btf.resolve(var.type()), MapDef.Kind.BTF, 0);
                maps.put(m.name(), m);
            }
        }

        private MapDef mapFromBtf(String mapName, BtfType def, MapDef.Kind kind, int depth) {
            if (!(def instanceof BtfType.Struct st))
                throw new BpfFormatException("map " + Escape.text(mapName) + ": definition is " + def.kind().kernelName() + ", want a struct");
            MapDef m = new MapDef(mapName, kind);
            for (BtfType.Member mem : st.members()) {
                String what = "map " + Escape.text(mapName) + " member " + Escape.text(mem.name());
                switch (mem.name()) {
                    case "type" -> m.type = mapType(mapName, uintMember(mem, what));
                    case "max_entries" -> m.maxEntries = uintMember(mem, what);
                    case "map_flags" -> m.flags = uintMember(mem, what);
                    case "numa_node" -> m.numaNode = uintMember(mem, what);
                    case "key_size" -> m.keySize = checkSize(m.keySize, uintMember(mem, what), what);
                    case "value_size" -> m.valueSize = checkSize(m.valueSize, uintMember(mem, what), what);
                    case "map_extra" -> m.mapExtra = uintMember(mem, what) & 0xffffffffL;
                    case "pinning" -> {
                        int p = uintMember(mem, what);
                        // nelems is a u32: 2^31 and above are negative here.
                        if (p < 0 || p > 1) throw new BpfFormatException(what + ": unknown pinning " + Integer.toUnsignedString(p) + " (0 none, 1 by name)");
                        m.pinning = MapDef.Pinning.values()[p];
                    }
                    case "key" -> {
                        int t = pointee(mem, what);
                        m.keySize = checkSize(m.keySize, (int) btf.sizeOf(t), what);
                        m.btfKeyTypeId = t;
                    }
                    case "value" -> {
                        int t = pointee(mem, what);
                        m.valueSize = checkSize(m.valueSize, (int) btf.sizeOf(t), what);
                        m.btfValueTypeId = t;
                    }
                    case "values" -> {
                        if (!(btf.resolve(mem.type()) instanceof BtfType.Array arr) || arr.nelems() != 0)
                            throw new BpfFormatException(what + ": want a flexible array of pointers (__array)");
                        if (!(btf.resolve(arr.elemType()) instanceof BtfType.Ptr ptr))
                            throw new BpfFormatException(what + ": array elements are not pointers");
                        BtfType target = btf.resolve(ptr.type());
                        if (depth > 0) throw new BpfFormatException(what + ": inner maps cannot have inner maps");
                        if (target instanceof BtfType.Struct) {
                            // For prog arrays the pointee is a function prototype; for map-in-map, the inner map.
                            m.inner = mapFromBtf(mapName + ".inner", target, MapDef.Kind.INNER, depth + 1);
                        } else if (!(target instanceof BtfType.FuncProto))
                            throw new BpfFormatException(what + ": values point to " + target.kind().kernelName());
                    }
                    default -> throw new BpfFormatException("map " + Escape.text(mapName) + ": unknown attribute " + Escape.text(mem.name()));
                }
            }
            if (m.type == null) throw new BpfFormatException("map " + Escape.text(mapName) + ": no type");
            if (m.type == MapType.ARRAY_OF_MAPS || m.type == MapType.HASH_OF_MAPS) {
                if (m.inner == null) throw new BpfFormatException("map " + Escape.text(mapName) + ": map-in-map needs __array(values, ...)");
                if (m.valueSize == 0) m.valueSize = 4;
                if (m.keySize == 0) m.keySize = 4;
                m.btfValueTypeId = 0; // the kernel refuses BTF values for fd-holding maps
            } else if (m.type == MapType.PROG_ARRAY || m.type == MapType.PERF_EVENT_ARRAY || m.type == MapType.CGROUP_ARRAY) {
                if (m.keySize == 0) m.keySize = 4;
                if (m.valueSize == 0) m.valueSize = 4;
                m.btfKeyTypeId = m.btfValueTypeId = 0;
            }
            return m;
        }

        private static int checkSize(int old, int v, String what) {
            if (old != 0 && old != v) throw new BpfFormatException(what + ": size " + v + " conflicts with " + old);
            return v;
        }

        /** {@code __uint(name, N)} is {@code int (*name)[N]}. */
        private int uintMember(BtfType.Member mem, String what) {
            if (!(btf.resolve(mem.type()) instanceof BtfType.Ptr p) || !(btf.resolve(p.type()) instanceof BtfType.Array a))
                throw new BpfFormatException(what + ": not an __uint() (pointer to array)");
            return a.nelems();
        }

        /** {@code __type(name, T)} is {@code T *name}. */
        private int pointee(BtfType.Member mem, String what) {
            if (!(btf.resolve(mem.type()) instanceof BtfType.Ptr p)) throw new BpfFormatException(what + ": not a __type() (pointer)");
            return p.type();
        }

        private static MapType mapType(String mapName, int v) {
            MapType t = MapType.of(v);
            if (t == null) throw new BpfFormatException("map " + Escape.text(mapName) + ": unknown map type " + v);
            return t;
        }

        /** Prog array and map-in-map slots given in C ({@code .values = { [2] = &prog }}). */
        private void initialValues(Map<String, ProgramDef> programs) {
            Map<Integer, ElfRelocation> rs = relocs.get(mapsSection);
            if (rs == null) return;
            BtfType.Datasec ds = (BtfType.Datasec) btf.findByName(".maps", io.bpf4j.btf.BtfKind.DATASEC).orElseThrow();
            for (ElfRelocation r : rs.values()) {
                MapDef owner = null;
                int rel = 0;
                for (BtfType.VarSecinfo vs : ds.vars()) {
                    if (r.offset() >= vs.offset() && r.offset() < (long) vs.offset() + vs.size()) {
                        owner = maps.get(btf.typeById(vs.type()).name());
                        rel = (int) (r.offset() - vs.offset());
                        if (!(btf.typeById(vs.type()) instanceof BtfType.Var var) || !(btf.resolve(var.type()) instanceof BtfType.Struct st))
                            throw new BpfFormatException(".maps DATASEC entry " + vs.type() + " is not a map variable");
                        BtfType.Member values = st.members().stream().filter(x -> x.name().equals("values")).findFirst()
                                .orElseThrow(() -> new BpfFormatException(".maps relocation at " + r.offset() + " outside a values array"));
                        rel -= values.bitOffset() / 8;
                    }
                }
                if (owner == null || rel < 0 || rel % 8 != 0)
                    throw new BpfFormatException(".maps relocation at " + r.offset() + " does not point into a map's values");
                ElfSymbol sym = elf.symbol(r.symbol(), ".maps relocation");
                int slot = rel / 8;
                if (owner.type == MapType.PROG_ARRAY) {
                    if (!programs.containsKey(sym.name())) throw new BpfFormatException("map " + Escape.text(owner.name()) + " slot " + slot + ": " + Escape.text(sym.name()) + " is not a program");
                } else if (!maps.containsKey(sym.name())) {
                    throw new BpfFormatException("map " + Escape.text(owner.name()) + " slot " + slot + ": " + Escape.text(sym.name()) + " is not a map");
                }
                if (slot >= owner.maxEntries) throw new BpfFormatException("map " + Escape.text(owner.name()) + ": slot " + slot + " beyond max_entries " + owner.maxEntries);
                owner.initialValues.put(slot, sym.name());
            }
        }

        /** A function of a section: where its copy starts in the program being linked. */
        private record Chunk(ElfSection section, int start, int length, int newStart) {}

        private ProgramDef link(ElfSection sec, ElfSymbol main) {
            List<Chunk> chunks = new ArrayList<>();
            Map<Long, Integer> placed = new HashMap<>();
            List<String> subprogs = new ArrayList<>();
            List<MapRef> refs = new ArrayList<>();
            byte[] out = new byte[(int) main.size()];
            int len = 0;
            byte[][] cache = new byte[elf.sections().size()][];
            int mainStart = (int) (main.value() / 8);
            chunks.add(new Chunk(sec, mainStart, (int) (main.size() / 8), 0));
            placed.put(key(sec.index(), mainStart), 0);
            for (int c = 0; c < chunks.size(); c++) {
                Chunk ch = chunks.get(c);
                byte[] code = cache[ch.section.index()];
                if (code == null) code = cache[ch.section.index()] = elf.contents(ch.section);
                // functions() checked every chunk against its section; this guards the copy itself.
                if (ch.start < 0 || ch.length < 0 || (long) ch.start + ch.length > code.length / 8)
                    throw new BpfFormatException(Escape.text(main.name()) + ": function [" + ch.start + ", +" + ch.length + ") insns outside "
                            + Escape.text(ch.section.name()) + " of " + code.length / 8);
                long needL = ((long) ch.newStart + ch.length) * 8;
                if (needL > Integer.MAX_VALUE - 8) throw new BpfFormatException(Escape.text(main.name()) + ": linked program too large");
                int need = (int) needL;
                if (out.length < need) out = java.util.Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needL, out.length * 2L)));
                System.arraycopy(code, ch.start * 8, out, ch.newStart * 8, ch.length * 8);
                len = Math.max(len, need);
                Map<Integer, ElfRelocation> rs = relocs.getOrDefault(ch.section.index(), Map.of());
                for (int k = 0; k < ch.length; k++) {
                    int si = ch.start + k, ni = ch.newStart + k;
                    int op = out[ni * 8] & 0xff, src = (out[ni * 8 + 1] >>> 4) & 0xf;
                    ElfRelocation r = rs.get(si);
                    if (op == OP_CALL && src == BPF_PSEUDO_CALL) {
                        int imm = imm(out, ni);
                        ElfSection ts = ch.section;
                        long target;
                        if (r != null) {
                            ElfSymbol sym = elf.symbol(r.symbol(), "call relocation in " + Escape.text(ch.section.name()));
                            ts = elf.section(sym.section(), "call to " + Escape.text(sym.name()));
                            target = sym.value() / 8 + imm + 1;
                        } else target = (long) si + imm + 1;
                        int at = placeSubprog(ts, target, chunks, placed, subprogs, main.name());
                        setImm(out, ni, at - (ni + 1));
                    } else if (op == OP_CALL && r != null) {
                        ElfSymbol sym = elf.symbol(r.symbol(), "call relocation");
                        refs.add(new MapRef(ni, null, false, 0, sym.name()));
                    } else if (op == OP_LD_IMM64) {
                        if (k + 1 >= ch.length) throw new BpfFormatException(Escape.text(main.name()) + ": ld_imm64 at the end of " + Escape.text(ch.section.name()));
                        if (r != null) ldImm64(ch, out, si, ni, r, chunks, placed, subprogs, refs, main.name());
                        k++;
                    }
                }
            }
            out = java.util.Arrays.copyOf(out, len);
            List<BtfExt.FuncInfo> fi = new ArrayList<>();
            List<BtfExt.LineInfo> li = new ArrayList<>();
            List<CoreRelo> cr = new ArrayList<>();
            for (Chunk ch : chunks) {
                int lo = ch.start, hi = ch.start + ch.length, d = ch.newStart - ch.start;
                for (BtfExt.FuncInfo f : ext.funcInfo(ch.section.name()))
                    if (f.insn() >= lo && f.insn() < hi) fi.add(new BtfExt.FuncInfo(f.insn() + d, f.typeId()));
                for (BtfExt.LineInfo l : ext.lineInfo(ch.section.name()))
                    if (l.insn() >= lo && l.insn() < hi) li.add(new BtfExt.LineInfo(l.insn() + d, l.fileNameOff(), l.lineOff(), l.lineCol()));
                for (CoreRelo x : ext.coreRelos(ch.section.name()))
                    if (x.insn() >= lo && x.insn() < hi) cr.add(x.withInsn(x.insn() + d));
            }
            return new ProgramDef(main.name(), sec.name(), SectionKind.of(sec.name()), out, refs, cr, fi, li, subprogs);
        }

        private static long key(int section, int insn) {
            return ((long) section << 32) | insn;
        }

        /** Where the function containing {@code target} of {@code ts} starts in this program, appending it once. */
        private int placeSubprog(ElfSection ts, long target, List<Chunk> chunks, Map<Long, Integer> placed, List<String> subprogs, String prog) {
            if (!ts.executable()) throw new BpfFormatException(Escape.text(prog) + ": call into non-code section " + Escape.text(ts.name()));
            ElfSymbol fn = null;
            for (ElfSymbol f : functions(ts.index()))
                if (target >= f.value() / 8 && target < (f.value() + f.size()) / 8) fn = f;
            if (fn == null) throw new BpfFormatException(Escape.text(prog) + ": call to instruction " + target + " of " + Escape.text(ts.name()) + ", which is in no function");
            int fStart = (int) (fn.value() / 8);
            Integer at = placed.get(key(ts.index(), fStart));
            if (at == null) {
                Chunk last = chunks.getLast();
                at = last.newStart + last.length;
                chunks.add(new Chunk(ts, fStart, (int) (fn.size() / 8), at));
                placed.put(key(ts.index(), fStart), at);
                subprogs.add(fn.name());
            }
            return at + (int) (target - fStart);
        }

        private void ldImm64(Chunk ch, byte[] out, int si, int ni, ElfRelocation r, List<Chunk> chunks, Map<Long, Integer> placed,
                             List<String> subprogs, List<MapRef> refs, String prog) {
            ElfSymbol sym = elf.symbol(r.symbol(), "relocation in " + Escape.text(ch.section.name()));
            int imm = imm(out, ni);
            if (sym.section() == ElfSymbol.SHN_UNDEF) {
                refs.add(new MapRef(ni, null, false, 0, sym.name()));
                return;
            }
            if (sym.section() == mapsSection) {
                MapDef m = null;
                for (MapDef x : maps.values())
                    if (x.kind() == MapDef.Kind.BTF && x.name().equals(sym.name())) m = x;
                if (m == null) throw new BpfFormatException(Escape.text(prog) + ": relocation against " + Escape.text(sym.name()) + " in .maps, which is not a map");
                out[ni * 8 + 1] = (byte) ((out[ni * 8 + 1] & 0x0f) | (BPF_PSEUDO_MAP_FD << 4));
                refs.add(new MapRef(ni, m.name(), false, 0, null));
                return;
            }
            MapDef data = dataMaps.get(sym.section());
            if (data != null) {
                long off = sym.value() + imm;
                if (off < 0 || off >= data.valueSize) throw new BpfFormatException(Escape.text(prog) + ": reference to " + Escape.text(data.name()) + "+" + off + " outside it");
                out[ni * 8 + 1] = (byte) ((out[ni * 8 + 1] & 0x0f) | (BPF_PSEUDO_MAP_VALUE << 4));
                refs.add(new MapRef(ni, data.name(), true, (int) off, null));
                return;
            }
            ElfSection ts = elf.section(sym.section(), "symbol " + Escape.text(sym.name()));
            if (ts.executable()) {
                // The address of a function (a callback for bpf_loop and friends).
                long target = (sym.value() + imm) / 8;
                int at = placeSubprog(ts, target, chunks, placed, subprogs, prog);
                out[ni * 8 + 1] = (byte) ((out[ni * 8 + 1] & 0x0f) | (BPF_PSEUDO_FUNC << 4));
                setImm(out, ni, at - (ni + 1));
                return;
            }
            throw new BpfFormatException(Escape.text(prog) + ": relocation against " + Escape.text(sym.name()) + " in section " + Escape.text(ts.name()) + ", which is neither a map nor global data");
        }

        static int imm(byte[] b, int insn) {
            int p = insn * 8 + 4;
            return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
        }

        static void setImm(byte[] b, int insn, int v) {
            BtfPatcher.put(b, insn * 8 + 4, v);
        }

        private static String cString(byte[] b) {
            int n = 0;
            while (n < b.length && b[n] != 0) n++;
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
    }
}
