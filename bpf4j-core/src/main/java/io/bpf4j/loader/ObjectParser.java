package io.bpf4j.loader;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.FuncInfo;
import io.bpf4j.LineInfo;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.ProgramSpec.Reference;
import io.bpf4j.asm.CallKind;
import io.bpf4j.asm.Insn;
import io.bpf4j.asm.Pseudo;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.core.CoreRelo;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfRelocation;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One pass over a BPF ELF object into an {@link ObjectSpec}. Each code section is decoded once
 * into {@link Insn} values; a program is its function's instructions with every bpf-to-bpf callee
 * (static or global, in {@code .text} or any code section) appended once, as libbpf links them,
 * calls and function addresses pointing at the copies. Instructions that refer to a map or an
 * extern become the {@link Pseudo} form the kernel takes, with a {@link Reference} naming what
 * {@link BpfObject#load} fills in.
 */
final class ObjectParser {
    private final ElfFile elf;
    private final String name;
    private final List<ElfSymbol>[] symbolsBySection;
    /** Per section the relocations apply to: the relocation of each instruction slot, or null. */
    private final ElfRelocation[][] relocs;
    /** Per code section: its instructions, decoded on first use. */
    private final Code[] code;
    /** Per section: its STT_FUNC symbols by address. */
    private final ElfSymbol[][] functions;
    private final Map<String, MapSpec> maps = new LinkedHashMap<>();
    private final MapSpec[] dataMaps;
    private final Map<String, Variable> variables = new LinkedHashMap<>();
    private final BtfExt.Section[] extSections;
    private final SectionKind[] kinds;
    private final boolean[] kindKnown;
    private int mapsSection = -1;
    /** The object BTF's DATASEC ids by name. */
    private Map<String, Integer> datasecs = Map.of();
    private Btf btf;
    private BtfExt ext = BtfExt.empty();

    @SuppressWarnings("unchecked")
    ObjectParser(ElfFile elf, String name) {
        this.elf = elf;
        this.name = name;
        if (elf.type() != ElfFile.ET_REL) throw new BpfFormatException("ELF: type " + elf.type() + " is not a relocatable object (ET_REL)");
        if (elf.machine() != ElfFile.EM_BPF && elf.machine() != 0)
            throw new BpfFormatException("ELF: machine " + elf.machine() + " is not BPF (247)");
        int n = elf.sections().size();
        symbolsBySection = new List[n];
        relocs = new ElfRelocation[n][];
        code = new Code[n];
        functions = new ElfSymbol[n][];
        dataMaps = new MapSpec[n];
        extSections = new BtfExt.Section[n];
        kinds = new SectionKind[n];
        kindKnown = new boolean[n];
        for (ElfSymbol s : elf.symbols()) {
            if (s.section() <= 0 || s.section() >= n) continue;
            if (symbolsBySection[s.section()] == null) symbolsBySection[s.section()] = new ArrayList<>();
            symbolsBySection[s.section()].add(s);
        }
    }

    ObjectSpec parse() {
        String license = elf.section("license").map(s -> cString(elf.contents(s))).orElse("");
        int version = elf.section("version").map(s -> {
            byte[] b = elf.contents(s);
            if (b.length != 4) throw new BpfFormatException("section version: " + b.length + " bytes, want 4");
            return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
        }).orElse(0);
        byte[] btfBytes = null;
        Optional<ElfSection> btfSec = elf.section(".BTF");
        if (btfSec.isPresent()) {
            btfBytes = elf.contents(btfSec.get());
            Btf raw = Btf.parse(btfBytes);
            Map<String, Long> sizes = new HashMap<>();
            for (ElfSection s : elf.sections()) sizes.put(s.name(), s.size());
            datasecs = BtfPatcher.fixDatasecs(btfBytes, raw, sizes, this::symbolValue);
            btfBytes = BtfPatcher.fixKsyms(btfBytes);
            btf = Btf.parse(btfBytes);
            Optional<ElfSection> extSec = elf.section(".BTF.ext");
            if (extSec.isPresent()) ext = BtfExt.parse(elf.contents(extSec.get()), btf);
        }
        for (ElfSection s : elf.sections()) {
            if (s.type() != ElfFile.SHT_REL && s.type() != ElfFile.SHT_RELA) continue;
            ElfSection target = elf.section(s.info(), "relocation section " + Escape.text(s.name()));
            if (!target.executable() && !target.name().equals(".maps")) continue;
            if (target.type() == ElfFile.SHT_NOBITS)
                throw new BpfFormatException("section " + Escape.text(s.name()) + ": relocations in " + Escape.text(target.name()) + ", which has no contents");
            // A code section's size is u64 in the header; one that cannot be an instruction array is refused here.
            if (target.size() < 0 || target.size() / 8 > Integer.MAX_VALUE - 8)
                throw new BpfFormatException("section " + Escape.text(target.name()) + ": size " + Long.toUnsignedString(target.size()) + " is too large for code");
            ElfRelocation[] bySlot = relocs[target.index()];
            if (bySlot == null) relocs[target.index()] = bySlot = new ElfRelocation[(int) (target.size() / 8)];
            for (ElfRelocation r : elf.relocations(s)) {
                if (r.offset() % 8 != 0 || r.offset() < 0 || r.offset() / 8 >= bySlot.length)
                    throw new BpfFormatException("section " + Escape.text(s.name()) + ": relocation offset " + r.offset() + " outside or unaligned in " + Escape.text(target.name()));
                bySlot[(int) (r.offset() / 8)] = r;
            }
        }
        for (ElfSection s : elf.sections()) dataSection(s);
        elf.section(".maps").ifPresent(this::btfMaps);
        if (elf.section("maps").isPresent())
            throw new BpfFormatException("legacy 'maps' section (struct bpf_map_def) is not supported: declare maps in SEC(\".maps\") with BTF");
        Map<String, ProgramSpec> programs = new LinkedHashMap<>();
        for (ElfSection s : elf.sections()) {
            if (!s.executable() || s.name().equals(".text") || s.size() == 0) continue;
            if (s.size() % 8 != 0) throw new BpfFormatException("section " + Escape.text(s.name()) + ": size " + s.size() + " is not a multiple of 8");
            for (ElfSymbol sym : functions(s)) {
                if (programs.containsKey(sym.name())) throw new BpfFormatException("two programs named " + Escape.text(sym.name()));
                programs.put(sym.name(), link(s, sym, license, version));
            }
        }
        if (mapsSection >= 0) initialSlots(programs);
        return new ObjectSpec(name, license, version, btf, btfBytes, maps, programs, variables);
    }

    private long symbolValue(String section, String var) {
        Optional<ElfSection> s = elf.section(section);
        if (s.isEmpty() || symbolsBySection[s.get().index()] == null) return -1;
        for (ElfSymbol sym : symbolsBySection[s.get().index()])
            if (sym.name().equals(var) && sym.type() == ElfSymbol.STT_OBJECT) return sym.value();
        return -1;
    }

    /** The section's functions by address, checked to be whole instructions inside it. */
    private ElfSymbol[] functions(ElfSection sec) {
        ElfSymbol[] f = functions[sec.index()];
        if (f != null) return f;
        List<ElfSymbol> out = new ArrayList<>();
        if (symbolsBySection[sec.index()] != null) {
            for (ElfSymbol sym : symbolsBySection[sec.index()]) {
                if (sym.type() != ElfSymbol.STT_FUNC) continue;
                if (sym.value() % 8 != 0 || sym.size() % 8 != 0 || sym.size() <= 0 || sym.value() < 0
                        || sym.value() + sym.size() > sec.size() || sym.value() + sym.size() < 0)
                    throw new BpfFormatException("function " + Escape.text(sym.name()) + " [" + sym.value() + ", +" + sym.size() + ") is not whole instructions inside " + Escape.text(sec.name()));
                out.add(sym);
            }
        }
        out.sort((a, b) -> Long.compare(a.value(), b.value()));
        return functions[sec.index()] = out.toArray(new ElfSymbol[0]);
    }

    /**
     * A code section decoded once: its instructions in order, where each starts, and which ones
     * linking must look at (subprogram calls, and instructions with a relocation). Linking a
     * program copies runs of these shared, immutable values and replaces only those.
     */
    private static final class Code {
        final Insn[] insns;
        /** The slot of each instruction. */
        final int[] slotOf;
        /** The instruction starting at each slot, -1 inside an ld_imm64; entry [slots] is insns.length. */
        final int[] indexAt;
        /** Indices of the instructions linking rewrites, ascending. */
        final int[] special;

        Code(List<Insn> decoded, int slots, ElfRelocation[] relocs) {
            insns = decoded.toArray(new Insn[0]);
            slotOf = new int[insns.length];
            indexAt = new int[slots + 1];
            Arrays.fill(indexAt, -1);
            int[] sp = new int[16];
            int n = 0, slot = 0;
            for (int i = 0; i < insns.length; i++) {
                Insn insn = insns[i];
                slotOf[i] = slot;
                indexAt[slot] = i;
                boolean call = insn instanceof Insn.Call c && c.kind() == CallKind.SUBPROG;
                if (call || (relocs != null && relocs[slot] != null && (insn instanceof Insn.Call || insn instanceof Insn.LdImm64))) {
                    if (n == sp.length) sp = Arrays.copyOf(sp, n * 2);
                    sp[n++] = i;
                }
                slot += insn instanceof Insn.LdImm64 ? 2 : 1;
            }
            indexAt[slots] = insns.length;
            special = Arrays.copyOf(sp, n);
        }

        /** The first special index >= {@code i}. */
        int firstSpecial(int i) {
            int lo = 0, hi = special.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (special[mid] < i) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    private Code code(ElfSection sec) {
        Code c = code[sec.index()];
        if (c != null) return c;
        if (sec.size() % 8 != 0) throw new BpfFormatException("section " + Escape.text(sec.name()) + ": size " + sec.size() + " is not a multiple of 8");
        byte[] b = elf.contents(sec);
        List<Insn> insns;
        try {
            insns = Insn.decode(b);
        } catch (BpfFormatException e) {
            throw new BpfFormatException("section " + Escape.text(sec.name()) + ": " + e.getMessage(), e);
        }
        return code[sec.index()] = new Code(insns, b.length / Insn.SLOT_SIZE, relocs[sec.index()]);
    }

    private static boolean isDataSection(String n) {
        return n.equals(".data") || n.equals(".rodata") || n.equals(".bss") || n.startsWith(".data.") || n.startsWith(".rodata.")
                || n.startsWith(".bss.");
    }

    /** A global data section becomes a one-element array map holding it (libbpf's internal maps). */
    private void dataSection(ElfSection s) {
        if (!isDataSection(s.name()) || !s.alloc() || s.size() == 0) return;
        if (s.type() != ElfFile.SHT_PROGBITS && s.type() != ElfFile.SHT_NOBITS) return;
        MapSpec.Kind kind = s.name().startsWith(".rodata") ? MapSpec.Kind.RODATA
                : s.name().startsWith(".bss") ? MapSpec.Kind.BSS : MapSpec.Kind.DATA;
        if (s.size() > Integer.MAX_VALUE - 8) throw new BpfFormatException("section " + Escape.text(s.name()) + " too large");
        int valueTypeId = datasecs.getOrDefault(s.name(), 0);
        MapSpec m = new MapSpec(MapType.ARRAY, s.name(), 4, (int) s.size(), 1,
                MapSpec.F_MMAPABLE | (kind == MapSpec.Kind.RODATA ? MapSpec.F_RDONLY_PROG : 0), 0, 0, null, null, 0, valueTypeId,
                MapSpec.Pinning.NONE, kind, MemorySegment.ofArray(elf.contents(s)).asReadOnly(), Map.of());
        maps.put(m.name(), m);
        dataMaps[s.index()] = m;
        if (symbolsBySection[s.index()] != null) {
            BtfType.Datasec ds = btf != null && btf.typeById(valueTypeId) instanceof BtfType.Datasec d ? d : null;
            for (ElfSymbol sym : symbolsBySection[s.index()]) {
                if (sym.type() != ElfSymbol.STT_OBJECT || sym.name().isEmpty()) continue;
                if (sym.value() < 0 || sym.size() < 0 || sym.value() + sym.size() > s.size() || sym.value() + sym.size() < 0)
                    throw new BpfFormatException("variable " + Escape.text(sym.name()) + " lies outside section " + Escape.text(s.name()));
                int typeId = 0;
                if (ds != null) {
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
        Integer id = datasecs.get(".maps");
        if (id == null) throw new BpfFormatException("section .maps has no DATASEC in BTF");
        BtfType.Datasec ds = (BtfType.Datasec) btf.typeById(id);
        for (BtfType.VarSecinfo vs : ds.vars()) {
            if (!(btf.typeById(vs.type()) instanceof BtfType.Var var))
                throw new BpfFormatException(".maps DATASEC entry " + vs.type() + " is not a VAR");
            MapSpec m = mapFromBtf(var.name(), btf.resolve(var.type()), 0);
            if (maps.containsKey(m.name())) throw new BpfFormatException("two maps named " + Escape.text(m.name()));
            maps.put(m.name(), m);
        }
    }

    /** A map definition as {@code bpf_helpers.h}'s {@code __uint}/{@code __type}/{@code __array} write it. */
    private MapSpec mapFromBtf(String mapName, BtfType def, int depth) {
        if (!(def instanceof BtfType.Struct st))
            throw new BpfFormatException("map " + Escape.text(mapName) + ": definition is " + def.kind().kernelName() + ", want a struct");
        MapType type = null;
        int keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, numaNode = 0, keyId = 0, valueId = 0;
        long mapExtra = 0;
        MapSpec.Pinning pinning = MapSpec.Pinning.NONE;
        MapSpec inner = null;
        for (BtfType.Member mem : st.members()) {
            String what = "map " + Escape.text(mapName) + " member " + Escape.text(mem.name());
            switch (mem.name()) {
                case "type" -> type = mapType(mapName, uintMember(mem, what));
                case "max_entries" -> maxEntries = uintMember(mem, what);
                case "map_flags" -> flags = uintMember(mem, what);
                case "numa_node" -> numaNode = uintMember(mem, what);
                case "key_size" -> keySize = checkSize(keySize, uintMember(mem, what), what);
                case "value_size" -> valueSize = checkSize(valueSize, uintMember(mem, what), what);
                case "map_extra" -> mapExtra = uintMember(mem, what) & 0xffffffffL;
                case "pinning" -> {
                    int p = uintMember(mem, what);
                    if (p != 0 && p != 1) throw new BpfFormatException(what + ": unknown pinning " + Integer.toUnsignedString(p) + " (0 none, 1 by name)");
                    pinning = MapSpec.Pinning.values()[p];
                }
                case "key" -> {
                    keyId = pointee(mem, what);
                    keySize = checkSize(keySize, typeSize(keyId, what), what);
                }
                case "value" -> {
                    valueId = pointee(mem, what);
                    valueSize = checkSize(valueSize, typeSize(valueId, what), what);
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
                        inner = mapFromBtf(mapName + ".inner", target, depth + 1);
                    } else if (!(target instanceof BtfType.FuncProto))
                        throw new BpfFormatException(what + ": values point to " + target.kind().kernelName());
                }
                default -> throw new BpfFormatException("map " + Escape.text(mapName) + ": unknown attribute " + Escape.text(mem.name()));
            }
        }
        if (type == null) throw new BpfFormatException("map " + Escape.text(mapName) + ": no type");
        if (type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS) {
            if (inner == null) throw new BpfFormatException("map " + Escape.text(mapName) + ": map-in-map needs __array(values, ...)");
            if (valueSize == 0) valueSize = 4;
            if (keySize == 0) keySize = 4;
            valueId = 0; // the kernel refuses BTF values for fd-holding maps
        } else if (type == MapType.PROG_ARRAY || type == MapType.PERF_EVENT_ARRAY || type == MapType.CGROUP_ARRAY) {
            if (keySize == 0) keySize = 4;
            if (valueSize == 0) valueSize = 4;
            keyId = valueId = 0;
        }
        return new MapSpec(type, mapName, keySize, valueSize, maxEntries, flags, numaNode, mapExtra, inner, null, keyId, valueId,
                pinning, MapSpec.Kind.MAP, null, Map.of());
    }

    private int typeSize(int id, String what) {
        long n = btf.sizeOf(id);
        if (n < 0 || n > Integer.MAX_VALUE) throw new BpfFormatException(what + ": type size " + n + " out of range");
        return (int) n;
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
        if (t == null) throw new BpfFormatException("map " + Escape.text(mapName) + ": unknown map type " + Integer.toUnsignedString(v));
        return t;
    }

    /** Prog array and map-in-map slots given in C ({@code .values = { [2] = &prog }}). */
    private void initialSlots(Map<String, ProgramSpec> programs) {
        ElfRelocation[] rs = relocs[mapsSection];
        if (rs == null) return;
        BtfType.Datasec ds = (BtfType.Datasec) btf.typeById(datasecs.get(".maps"));
        Map<String, Map<Integer, String>> slots = new LinkedHashMap<>();
        for (ElfRelocation r : rs) {
            if (r == null) continue;
            MapSpec owner = null;
            long rel = -1;
            for (BtfType.VarSecinfo vs : ds.vars()) {
                if (r.offset() < vs.offset() || r.offset() >= (long) vs.offset() + vs.size()) continue;
                if (!(btf.typeById(vs.type()) instanceof BtfType.Var var) || !(btf.resolve(var.type()) instanceof BtfType.Struct st))
                    throw new BpfFormatException(".maps DATASEC entry " + vs.type() + " is not a map variable");
                owner = maps.get(var.name());
                BtfType.Member values = st.members().stream().filter(x -> x.name().equals("values")).findFirst()
                        .orElseThrow(() -> new BpfFormatException(".maps relocation at " + r.offset() + " outside a values array"));
                rel = r.offset() - vs.offset() - values.bitOffset() / 8;
            }
            if (owner == null || rel < 0 || rel % 8 != 0)
                throw new BpfFormatException(".maps relocation at " + r.offset() + " does not point into a map's values");
            ElfSymbol sym = elf.symbol(r.symbol(), ".maps relocation");
            long slot = rel / 8;
            if (owner.type() == MapType.PROG_ARRAY) {
                if (!programs.containsKey(sym.name()))
                    throw new BpfFormatException("map " + Escape.text(owner.name()) + " slot " + slot + ": " + Escape.text(sym.name()) + " is not a program");
            } else if (!maps.containsKey(sym.name())) {
                throw new BpfFormatException("map " + Escape.text(owner.name()) + " slot " + slot + ": " + Escape.text(sym.name()) + " is not a map");
            }
            if (slot >= Integer.toUnsignedLong(owner.maxEntries()))
                throw new BpfFormatException("map " + Escape.text(owner.name()) + ": slot " + slot + " beyond max_entries " + Integer.toUnsignedString(owner.maxEntries()));
            slots.computeIfAbsent(owner.name(), k -> new TreeMap<>()).put((int) slot, sym.name());
        }
        slots.forEach((map, s) -> maps.put(map, maps.get(map).withInitialSlots(s)));
    }

    /**
     * A function of a section placed in the program being linked: slots [start, start + length)
     * of its section, instructions [first, end) of its {@link Code}, copied to slot
     * {@code newStart} and instruction {@code newIndex} of the program.
     */
    private record Chunk(ElfSection section, Code code, int start, int length, int first, int end, int newStart, int newIndex) {}

    /** The program being linked: chunks placed so far and what its instructions refer to. */
    private final class Linking {
        final String prog;
        final List<Chunk> chunks = new ArrayList<>(4);
        final List<String> subprograms = new ArrayList<>(4);
        final List<Reference> references = new ArrayList<>();

        Linking(String prog) {
            this.prog = prog;
        }

        /** Places function {@code fn} of {@code sec} at slot {@code newStart}, instruction {@code newIndex}. */
        Chunk chunk(ElfSection sec, ElfSymbol fn, int newStart, int newIndex) {
            Code c = code(sec);
            int start = (int) (fn.value() / 8), length = (int) (fn.size() / 8);
            int first = c.indexAt[start], end = c.indexAt[start + length];
            if (first < 0) throw new BpfFormatException(Escape.text(prog) + ": function " + Escape.text(fn.name()) + " of " + Escape.text(sec.name()) + " starts inside an ld_imm64");
            if (end < 0) throw new BpfFormatException(Escape.text(prog) + ": ld_imm64 at the end of function " + Escape.text(fn.name()) + " in " + Escape.text(sec.name()));
            Chunk ch = new Chunk(sec, c, start, length, first, end, newStart, newIndex);
            chunks.add(ch);
            return ch;
        }

        /** Where the function containing slot {@code target} of {@code ts} starts in this program, appending it once. */
        int place(ElfSection ts, long target) {
            if (!ts.executable()) throw new BpfFormatException(Escape.text(prog) + ": call into non-code section " + Escape.text(ts.name()));
            ElfSymbol[] fs = functions(ts);
            ElfSymbol fn = null;
            int lo = 0, hi = fs.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                ElfSymbol f = fs[mid];
                if (target < f.value() / 8) hi = mid - 1;
                else if (target >= (f.value() + f.size()) / 8) lo = mid + 1;
                else {
                    fn = f;
                    break;
                }
            }
            if (fn == null) throw new BpfFormatException(Escape.text(prog) + ": call to instruction " + target + " of " + Escape.text(ts.name()) + ", which is in no function");
            int fStart = (int) (fn.value() / 8);
            for (Chunk c : chunks)
                if (c.section.index() == ts.index() && c.start == fStart) return c.newStart + (int) (target - fStart);
            Chunk last = chunks.getLast();
            Chunk ch = chunk(ts, fn, last.newStart + last.length, last.newIndex + (last.end - last.first));
            subprograms.add(fn.name());
            return ch.newStart + (int) (target - fStart);
        }
    }

    private ProgramSpec link(ElfSection sec, ElfSymbol main, String license, int version) {
        Linking l = new Linking(main.name());
        l.chunk(sec, main, 0, 0);
        Insn[] out = new Insn[64];
        for (int c = 0; c < l.chunks.size(); c++) {
            Chunk ch = l.chunks.get(c);
            Code code = ch.code;
            int n = ch.end - ch.first;
            if (out.length < ch.newIndex + n) out = Arrays.copyOf(out, Math.max(ch.newIndex + n, out.length * 2));
            System.arraycopy(code.insns, ch.first, out, ch.newIndex, n);
            ElfRelocation[] rs = relocs[ch.section.index()];
            for (int k = code.firstSpecial(ch.first); k < code.special.length && code.special[k] < ch.end; k++) {
                int i = code.special[k], si = code.slotOf[i], ni = ch.newStart + (si - ch.start), at = ch.newIndex + (i - ch.first);
                Insn insn = code.insns[i];
                ElfRelocation r = rs == null ? null : rs[si];
                if (insn instanceof Insn.Call call) {
                    if (call.kind() == CallKind.SUBPROG) {
                        out[at] = call(l, ch, si, ni, call, r);
                    } else {
                        l.references.add(new Reference(ni, Reference.Kind.EXTERN, symbol(r, ch).name()));
                    }
                } else {
                    out[at] = ldImm64(l, ch, ni, (Insn.LdImm64) insn, r);
                }
            }
        }
        Chunk last = l.chunks.getLast();
        int count = last.newIndex + (last.end - last.first);
        int parts = l.chunks.size();
        BtfExt.Section[] extSecs = new BtfExt.Section[parts];
        int[] index = new int[parts], start = new int[parts], length = new int[parts], newStart = new int[parts];
        for (int c = 0; c < parts; c++) {
            Chunk ch = l.chunks.get(c);
            extSecs[c] = extSection(ch.section);
            index[c] = ch.section.index();
            start[c] = ch.start;
            length[c] = ch.length;
            newStart[c] = ch.newStart;
        }
        BtfExt.Program x = ext.program(extSecs, index, start, length, newStart);
        SectionKind kind = kind(sec);
        return new ProgramSpec(kind == null ? ProgType.UNSPEC : kind.type(), main.name(), List.of(count == out.length ? out : Arrays.copyOf(out, count)),
                license.isEmpty() ? "GPL" : license, kind == null ? null : kind.attachType(), version, kind == null ? 0 : kind.flags(),
                null, x.funcInfo(), x.lineInfo(), 0, null, null, 0, sec.name(), kind == null ? "" : kind.target(),
                List.copyOf(l.references), x.coreRelos(), List.copyOf(l.subprograms), true);
    }

    private BtfExt.Section extSection(ElfSection sec) {
        BtfExt.Section s = extSections[sec.index()];
        if (s == null) extSections[sec.index()] = s = ext.section(sec.name());
        return s;
    }

    /** What a code section's name says, looked up once per section. */
    private SectionKind kind(ElfSection sec) {
        if (!kindKnown[sec.index()]) {
            kinds[sec.index()] = SectionKind.of(sec.name());
            kindKnown[sec.index()] = true;
        }
        return kinds[sec.index()];
    }

    /** The symbol a relocation of {@code ch}'s section refers to (ElfFile checked the index). */
    private ElfSymbol symbol(ElfRelocation r, Chunk ch) {
        List<ElfSymbol> syms = elf.symbols();
        if (r.symbol() < 0 || r.symbol() >= syms.size()) return elf.symbol(r.symbol(), "relocation in " + ch.section.name());
        return syms.get(r.symbol());
    }

    /** The section a symbol is defined in; the error names {@code what} and the symbol. */
    private ElfSection section(ElfSymbol sym, String what) {
        List<ElfSection> secs = elf.sections();
        if (sym.section() <= 0 || sym.section() >= secs.size()) return elf.section(sym.section(), what + sym.name());
        return secs.get(sym.section());
    }

    /** A bpf-to-bpf call: to its callee's copy; a call of an undefined symbol is a kfunc call. */
    private Insn call(Linking l, Chunk ch, int si, int ni, Insn.Call call, ElfRelocation r) {
        ElfSection ts = ch.section;
        long target;
        if (r != null) {
            ElfSymbol sym = symbol(r, ch);
            if (sym.section() == ElfSymbol.SHN_UNDEF) {
                l.references.add(new Reference(ni, Reference.Kind.KFUNC, sym.name()));
                return new Insn.Call(CallKind.KFUNC, 0, 0);
            }
            ts = section(sym, "call to ");
            target = sym.value() / 8 + call.imm() + 1;
        } else {
            target = (long) si + call.imm() + 1;
        }
        int at = l.place(ts, target);
        return new Insn.Call(CallKind.SUBPROG, at - (ni + 1), 0);
    }

    /** An ld_imm64 with a relocation: a map, an address in global data, a function, or an extern. */
    private Insn ldImm64(Linking l, Chunk ch, int ni, Insn.LdImm64 ld, ElfRelocation r) {
        ElfSymbol sym = symbol(r, ch);
        int imm = ld.lowImm();
        if (sym.section() == ElfSymbol.SHN_UNDEF) {
            l.references.add(new Reference(ni, Reference.Kind.EXTERN, sym.name()));
            return ld;
        }
        if (sym.section() == mapsSection) {
            MapSpec m = maps.get(sym.name());
            if (m == null || m.kind() != MapSpec.Kind.MAP)
                throw new BpfFormatException(Escape.text(l.prog) + ": relocation against " + Escape.text(sym.name()) + " in .maps, which is not a map");
            l.references.add(new Reference(ni, Reference.Kind.MAP, m.name()));
            return new Insn.LdImm64(ld.dst(), Pseudo.MAP_FD, 0);
        }
        MapSpec data = sym.section() > 0 && sym.section() < dataMaps.length ? dataMaps[sym.section()] : null;
        if (data != null) {
            long off = sym.value() + imm;
            if (off < 0 || off >= data.valueSize())
                throw new BpfFormatException(Escape.text(l.prog) + ": reference to " + Escape.text(data.name()) + "+" + off + " outside it");
            l.references.add(new Reference(ni, Reference.Kind.MAP, data.name()));
            return new Insn.LdImm64(ld.dst(), Pseudo.MAP_VALUE, off << 32);
        }
        ElfSection ts = section(sym, "symbol ");
        if (ts.executable()) {
            // The address of a function (a callback for bpf_loop and friends).
            long off = sym.value() + imm;
            if (off % 8 != 0) throw new BpfFormatException(Escape.text(l.prog) + ": address of " + Escape.text(sym.name()) + "+" + imm + " is not an instruction");
            int at = l.place(ts, off / 8);
            return new Insn.LdImm64(ld.dst(), Pseudo.FUNC, (at - (ni + 1)) & 0xffffffffL);
        }
        throw new BpfFormatException(Escape.text(l.prog) + ": relocation against " + Escape.text(sym.name()) + " in section " + Escape.text(ts.name()) + ", which is neither a map nor global data");
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
