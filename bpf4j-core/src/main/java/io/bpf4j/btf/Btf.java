package io.bpf4j.btf;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.internal.sys.Syscalls;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Datasec;
import io.bpf4j.btf.BtfType.DeclTag;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Enumeration;
import io.bpf4j.btf.BtfType.Func;
import io.bpf4j.btf.BtfType.FuncProto;
import io.bpf4j.btf.BtfType.Fwd;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Linkage;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.Ptr;
import io.bpf4j.btf.BtfType.Qualifier;
import io.bpf4j.btf.BtfType.TypeTag;
import io.bpf4j.btf.BtfType.Typedef;
import io.bpf4j.btf.BtfType.Var;
import io.bpf4j.btf.BtfType.VarSecinfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * Raw BTF as the kernel exposes it ({@code /sys/kernel/btf/*}) and accepts it
 * ({@code BPF_BTF_LOAD}): header, type section and string section, little endian.
 *
 * <p>Parsing checks the header and walks the type section once, recording where each type
 * starts; a type is decoded into its {@link BtfType} record the first time it is asked for, and
 * names are indexed on demand. All bad input, whether found while parsing or later while decoding
 * or walking types (string offsets, type ids out of range, reference cycles), is reported as a
 * {@link BpfFormatException} with a one-line message. Instances are immutable and thread-safe.
 *
 * <p>Split BTF (kernel modules, Linux 5.11+) continues the type ids and string offsets of its base:
 * {@link #parse(byte[], Btf)}.
 */
public final class Btf {
    static final int MAGIC = 0xeB9F;
    static final int HEADER_LEN = 24;
    /** BTF does not record the pointer size; bpf4j targets 64-bit kernels. */
    static final int POINTER_SIZE = 8;
    /**
     * Deeper nesting than this in a recursive walk (structs inside structs, anonymous members,
     * function prototypes) is treated as malformed input. The kernels' BTF needs 14 (5.10) to 17
     * (7.3) levels in the C dump, the deepest walk; at this limit every walk fits a 512 KB thread
     * stack even when the JIT's frames for the dump's recursion take 2 KB each.
     */
    static final int MAX_DEPTH = 64;

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAP_PRIVATE = 2;
    private static final Path SYS_KERNEL_BTF = Path.of("/sys/kernel/btf");
    private static final Path VMLINUX = SYS_KERNEL_BTF.resolve("vmlinux");
    private static volatile Btf kernel;

    private final MemorySegment data;
    private final Btf base;
    private final int flags;
    private final int strStart;
    private final int strLen;
    /** Offset of this BTF's first string in the combined base+split string space. */
    private final int strBase;
    /** Id of this BTF's first type: 1, or the base's type count for split BTF. */
    private final int firstId;
    private final int count;
    private final int[] offsets;
    private final BtfType[] decoded;
    private volatile NameIndex index;
    private volatile boolean searchedOnce;

    private Btf(MemorySegment data, Btf base) {
        this.data = data;
        this.base = base;
        if (data.byteSize() > Integer.MAX_VALUE) throw new BpfFormatException("BTF: " + data.byteSize() + " bytes is more than BTF can address");
        int length = (int) data.byteSize();
        if (length < HEADER_LEN) {
            throw new BpfFormatException("BTF: header truncated: " + length + " bytes, need " + HEADER_LEN);
        }
        int magic = (u8(0)) | u8(1) << 8;
        if (magic == 0x9FeB) {
            throw new BpfFormatException("BTF: big-endian BTF (byte-swapped magic 0x9feb) is not supported");
        }
        if (magic != MAGIC) {
            throw new BpfFormatException(String.format("BTF: bad magic 0x%04x, want 0xeb9f", magic));
        }
        if (u8(2) != 1) {
            throw new BpfFormatException("BTF: unsupported version " + u8(2));
        }
        this.flags = u8(3);
        long hdrLen = u32(4);
        if (hdrLen < HEADER_LEN || hdrLen > length) {
            throw new BpfFormatException("BTF: header length " + hdrLen + " out of range (" + HEADER_LEN + ".." + length + ")");
        }
        long typeOff = hdrLen + u32(8), typeLen = u32(12), strOff = hdrLen + u32(16), strLenL = u32(20);
        if (typeOff + typeLen > length) {
            throw new BpfFormatException("BTF: type section [" + typeOff + ", +" + typeLen + ") past end of " + length + " bytes");
        }
        if (strOff + strLenL > length) {
            throw new BpfFormatException("BTF: string section [" + strOff + ", +" + strLenL + ") past end of " + length + " bytes");
        }
        this.strStart = (int) strOff;
        this.strLen = (int) strLenL;
        if (base == null) {
            if (strLen == 0 || u8(strStart) != 0) {
                throw new BpfFormatException("BTF: string section must start with an empty string");
            }
            this.strBase = 0;
            this.firstId = 1;
        } else {
            this.strBase = base.strBase + base.strLen;
            this.firstId = base.typeCount();
        }
        if (strLen > 0 && u8(strStart + strLen - 1) != 0) {
            throw new BpfFormatException("BTF: string section does not end with NUL");
        }
        int ts = (int) typeOff, end = (int) (typeOff + typeLen);
        int[] offs = new int[(int) (typeLen / 12) + 1];
        int n = 0;
        for (int pos = ts; pos < end; ) {
            int id = firstId + n;
            if (end - pos < 12) {
                throw new BpfFormatException("BTF: type [" + id + "] truncated: " + (end - pos) + " bytes left in type section");
            }
            int info = i32(pos + 4);
            int vlen = info & 0xffff;
            int extra =
                    switch ((info >>> 24) & 0x1f) {
                        case 1, 14, 17 -> 4; // INT, VAR, DECL_TAG
                        case 2, 7, 8, 9, 10, 11, 12, 16, 18 -> 0;
                        case 3 -> 12; // ARRAY
                        case 4, 5, 15, 19 -> vlen * 12; // STRUCT, UNION, DATASEC, ENUM64
                        case 6, 13 -> vlen * 8; // ENUM, FUNC_PROTO
                        default -> throw new BpfFormatException(
                                "BTF: type [" + id + "] has unknown kind " + ((info >>> 24) & 0x1f) + " at offset " + (pos - ts));
                    };
            if (extra > end - pos - 12) {
                throw new BpfFormatException("BTF: type [" + id + "] " + BtfKind.ofNumber((info >>> 24) & 0x1f).kernelName()
                        + " vlen " + vlen + " needs " + (12 + extra) + " bytes, only " + (end - pos) + " left in type section");
            }
            if (n == Integer.MAX_VALUE - firstId) throw new BpfFormatException("BTF: too many types");
            offs[n++] = pos;
            pos += 12 + extra;
        }
        this.count = n;
        this.offsets = offs;
        this.decoded = new BtfType[n];
    }

    /** Parses self-contained ("base") BTF such as {@code /sys/kernel/btf/vmlinux}. */
    public static Btf parse(byte[] data) {
        return new Btf(MemorySegment.ofArray(data), null);
    }

    /**
     * Parses BTF in memory the caller keeps alive and unchanged for the life of the result
     * (types decode lazily from it); a null base parses base BTF.
     */
    public static Btf parse(MemorySegment data, Btf base) {
        return new Btf(data, base);
    }

    /**
     * Parses split BTF, e.g. {@code /sys/kernel/btf/<module>}, whose type ids and string offsets
     * continue those of {@code base}. A null base parses base BTF.
     */
    public static Btf parse(byte[] data, Btf base) {
        return new Btf(MemorySegment.ofArray(data), base);
    }

    /** Reads and parses a raw BTF file; a missing or unreadable file is a {@link BpfException}. */
    public static Btf read(Path file) {
        return read(file, null);
    }

    public static Btf read(Path file, Btf base) {
        MemorySegment bytes;
        try {
            bytes = load(file);
        } catch (NoSuchFileException e) {
            throw new BpfException("read BTF " + file + ": no such file");
        } catch (IOException e) {
            throw new BpfException("read BTF " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(bytes, base);
        } catch (BpfFormatException e) {
            throw new BpfFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The kernel's own BTF files are immutable and, since Linux 6.16, vmlinux can be mapped:
     * mapping skips sysfs's page-at-a-time reads and a copy, more than halving the cost of
     * loading it. The kernel accepts only private read-only mappings, which FileChannel cannot
     * make, hence mmap(2) itself. Anything else is read: a mapped file truncated under us would
     * fault on access.
     */
    private static MemorySegment load(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (abs.startsWith(SYS_KERNEL_BTF)) {
            long size = Files.size(abs);
            if (size > 0) {
                int fd = -1;
                try {
                    fd = Syscalls.open(abs.toString(), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
                    long addr = Syscalls.mmap(size, Syscalls.PROT_READ, MAP_PRIVATE, fd, 0);
                    // Unmapped when the Btf (and so the segment) is no longer reachable. Older
                    // kernels (and module BTF) refuse mmap: read instead.
                    if (addr >= 0) return MemorySegment.ofAddress(addr).reinterpret(size, Arena.ofAuto(), seg -> Syscalls.munmap(seg, size));
                } finally {
                    if (fd >= 0) Syscalls.close(fd);
                }
            }
        }
        return MemorySegment.ofArray(Files.readAllBytes(file));
    }

    /**
     * The running kernel's BTF from {@code /sys/kernel/btf/vmlinux} (Linux 5.5+ with
     * CONFIG_DEBUG_INFO_BTF), read once and cached for the life of the JVM.
     */
    public static Btf kernel() {
        Btf k = kernel;
        if (k == null) {
            synchronized (Btf.class) {
                k = kernel;
                if (k == null) {
                    if (!Files.exists(VMLINUX)) {
                        throw new BpfException("read kernel BTF", 0, VMLINUX + " missing: kernel built without CONFIG_DEBUG_INFO_BTF?");
                    }
                    kernel = k = read(VMLINUX);
                }
            }
        }
        return k;
    }

    /** The base of split BTF, or null. */
    public Btf base() {
        return base;
    }

    /** Id of the first type this BTF holds itself: 1, or the base's {@link #typeCount()}. */
    public int firstTypeId() {
        return firstId;
    }

    /** One more than the highest valid type id (void and base types included), like libbpf's btf__type_cnt. */
    public int typeCount() {
        return firstId + count;
    }

    /** The header flags byte (0 in all BTF known so far). */
    public int flags() {
        return flags;
    }

    /** The type with this id; 0 is void; ids below {@link #firstTypeId()} come from the base. */
    public BtfType typeById(int id) {
        if (id >= firstId) {
            int local = id - firstId;
            if (local >= count) throw badId(id);
            BtfType t = decoded[local];
            if (t == null) decoded[local] = t = decode(local);
            return t;
        }
        if (id == 0) return BtfType.Void.INSTANCE;
        if (base == null || id < 0) throw badId(id);
        return base.typeById(id);
    }

    private BpfFormatException badId(int id) {
        return new BpfFormatException("BTF: type id " + Integer.toUnsignedString(id) + " out of range (0.." + (typeCount() - 1) + ")");
    }

    /** The types this BTF holds itself, in id order (split BTF: without its base's). */
    public List<BtfType> types() {
        List<BtfType> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) list.add(typeById(firstId + i));
        return list;
    }

    // ---- names ----

    /** The string at {@code offset} of the (base+split) string section. */
    public String string(int offset) {
        Btf owner = stringOwner(offset);
        // The section ends with NUL (checked when parsing), so the string ends inside it.
        return owner.data.getString(owner.strStart + (offset - owner.strBase), StandardCharsets.UTF_8);
    }

    private Btf stringOwner(int offset) {
        Btf b = this;
        while (b.base != null && offset < b.strBase && offset >= 0) b = b.base;
        if (offset < b.strBase || offset - b.strBase >= b.strLen) {
            throw new BpfFormatException("BTF: string offset " + Integer.toUnsignedString(offset) + " out of range (0.."
                    + (strBase + strLen - 1) + ")");
        }
        return b;
    }

    /**
     * The first type (lowest id, base included) named {@code name} of this kind. A single search
     * scans; the second builds an index so that repeated look-ups cost a hash probe.
     */
    public Optional<BtfType> findByName(String name, BtfKind kind) {
        if (base != null) {
            Optional<BtfType> t = base.findByName(name, kind);
            if (t.isPresent()) return t;
        }
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        NameIndex idx = index;
        if (idx == null && !searchedOnce) {
            // A one-off look-up (a tool resolving one struct) is cheaper as a scan than an index build.
            searchedOnce = true;
            int k = kind.number();
            for (int i = 0; i < count; i++) {
                int pos = offsets[i];
                if (((i32(pos + 4) >>> 24) & 0x1f) == k && nameEquals(i32(pos), want)) return Optional.of(typeById(firstId + i));
            }
            return Optional.empty();
        }
        if (idx == null) idx = index();
        for (int i = idx.first(this, want); i >= 0; i = idx.next[i]) {
            if (((i32(offsets[i] + 4) >>> 24) & 0x1f) == kind.number() && nameEquals(i32(offsets[i]), want)) {
                return Optional.of(typeById(firstId + i));
            }
        }
        return Optional.empty();
    }

    /** All types named {@code name}, of any kind, in id order (base first). */
    public List<BtfType> findAllByName(String name) {
        return findAll(name, null);
    }

    /** All types named {@code name} of this kind, in id order (base first). */
    public List<BtfType> findAllByName(String name, BtfKind kind) {
        return findAll(name, kind);
    }

    private List<BtfType> findAll(String name, BtfKind kind) {
        List<BtfType> out = base == null ? new ArrayList<>() : new ArrayList<>(base.findAll(name, kind));
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        NameIndex idx = index();
        for (int i = idx.first(this, want); i >= 0; i = idx.next[i]) {
            int pos = offsets[i];
            if ((kind == null || ((i32(pos + 4) >>> 24) & 0x1f) == kind.number()) && nameEquals(i32(pos), want)) {
                out.add(typeById(firstId + i));
            }
        }
        return out;
    }

    private NameIndex index() {
        NameIndex idx = index;
        if (idx == null) {
            synchronized (this) {
                idx = index;
                if (idx == null) index = idx = new NameIndex(this);
            }
        }
        return idx;
    }

    /** Chained hash of local type indexes by name bytes, chains in ascending id order. */
    private static final class NameIndex {
        final int[] heads;
        final int[] next;
        final int mask;

        NameIndex(Btf btf) {
            int size = Integer.highestOneBit(Math.max(16, btf.count) * 2);
            heads = new int[size];
            Arrays.fill(heads, -1);
            next = new int[btf.count];
            mask = size - 1;
            for (int i = btf.count - 1; i >= 0; i--) {
                int off = btf.i32(btf.offsets[i]);
                if (off == 0) {
                    next[i] = -1;
                    continue;
                }
                int b = btf.hashName(off) & mask;
                next[i] = heads[b];
                heads[b] = i;
            }
        }

        int first(Btf btf, byte[] want) {
            int h = 0;
            for (byte c : want) h = 31 * h + c;
            return heads[mix(h) & mask];
        }
    }

    private static int mix(int h) {
        return h ^ (h >>> 16) ^ (h >>> 7);
    }

    private int hashName(int offset) {
        Btf owner = stringOwner(offset);
        MemorySegment d = owner.data;
        int h = 0;
        for (long p = owner.strStart + (offset - owner.strBase); ; p++) {
            byte c = d.get(ValueLayout.JAVA_BYTE, p);
            if (c == 0) return mix(h);
            h = 31 * h + c;
        }
    }

    private boolean nameEquals(int offset, byte[] want) {
        if (offset == 0) return want.length == 0;
        Btf owner = stringOwner(offset);
        MemorySegment d = owner.data;
        int p = owner.strStart + (offset - owner.strBase);
        int end = owner.strStart + owner.strLen;
        if (end - p <= want.length) return false;
        for (int i = 0; i < want.length; i++) if (d.get(ValueLayout.JAVA_BYTE, p + i) != want[i]) return false;
        return d.get(ValueLayout.JAVA_BYTE, p + want.length) == 0;
    }

    // ---- decoding ----

    private BtfType decode(int local) {
        int pos = offsets[local];
        int id = firstId + local;
        String name = string(i32(pos));
        int info = i32(pos + 4);
        int vlen = info & 0xffff;
        boolean kflag = info < 0;
        int st = i32(pos + 8);
        int p = pos + 12;
        return switch ((info >>> 24) & 0x1f) {
            case 1 -> {
                int v = i32(p);
                yield new Int(id, name, st, (v >>> 24) & 0x0f, (v >>> 16) & 0xff, v & 0xff);
            }
            case 2 -> new Ptr(id, name, st);
            case 3 -> new Array(id, name, i32(p), i32(p + 4), i32(p + 8));
            case 4, 5 -> {
                Member[] ms = new Member[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    int off = i32(p + 8);
                    ms[i] = kflag
                            ? new Member(string(i32(p)), i32(p + 4), off & 0xffffff, off >>> 24)
                            : new Member(string(i32(p)), i32(p + 4), off, 0);
                }
                yield ((info >>> 24) & 0x1f) == 4
                        ? new BtfType.Struct(id, name, st, List.of(ms), kflag)
                        : new BtfType.Union(id, name, st, List.of(ms), kflag);
            }
            case 6 -> {
                EnumValue[] vs = new EnumValue[vlen];
                for (int i = 0; i < vlen; i++, p += 8) {
                    int v = i32(p + 4);
                    vs[i] = new EnumValue(string(i32(p)), kflag ? v : Integer.toUnsignedLong(v));
                }
                yield new BtfType.Enum(id, name, st, kflag, List.of(vs));
            }
            case 7 -> new Fwd(id, name, kflag);
            case 8 -> new Typedef(id, name, st);
            case 9 -> new BtfType.Volatile(id, name, st);
            case 10 -> new BtfType.Const(id, name, st);
            case 11 -> new BtfType.Restrict(id, name, st);
            case 12 -> new Func(id, name, st, linkage(id, "FUNC", vlen));
            case 13 -> {
                Param[] ps = new Param[vlen];
                for (int i = 0; i < vlen; i++, p += 8) ps[i] = new Param(string(i32(p)), i32(p + 4));
                yield new FuncProto(id, name, st, List.of(ps));
            }
            case 14 -> new Var(id, name, st, linkage(id, "VAR", i32(p)));
            case 15 -> {
                VarSecinfo[] vs = new VarSecinfo[vlen];
                for (int i = 0; i < vlen; i++, p += 12) vs[i] = new VarSecinfo(i32(p), i32(p + 4), i32(p + 8));
                yield new Datasec(id, name, st, List.of(vs));
            }
            case 16 -> new BtfType.Float(id, name, st);
            case 17 -> new DeclTag(id, name, st, i32(p), kflag);
            case 18 -> new TypeTag(id, name, st, kflag);
            case 19 -> {
                EnumValue[] vs = new EnumValue[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    vs[i] = new EnumValue(string(i32(p)), (long) i32(p + 8) << 32 | Integer.toUnsignedLong(i32(p + 4)));
                }
                yield new BtfType.Enum64(id, name, st, kflag, List.of(vs));
            }
            default -> throw new IllegalStateException("kind checked while parsing");
        };
    }

    private static Linkage linkage(int id, String kind, int n) {
        Linkage l = Linkage.ofNumber(n);
        if (l == null) throw new BpfFormatException("BTF: " + kind + " [" + id + "] has unknown linkage " + Integer.toUnsignedString(n));
        return l;
    }

    // ---- walking ----

    /** {@link #resolve(BtfType)} of the type with this id. */
    public BtfType resolve(int id) {
        return resolve(typeById(id));
    }

    /** The type behind any chain of typedefs, CONST/VOLATILE/RESTRICT qualifiers and type tags. */
    public BtfType resolve(BtfType type) {
        BtfType t = type;
        for (int steps = 0; t instanceof Typedef || t instanceof Qualifier || t instanceof TypeTag; steps++) {
            if (steps > typeCount()) throw cycle("resolve", type);
            t = typeById(((BtfType.Reference) t).type());
        }
        return t;
    }

    /**
     * The size in bytes, as C's sizeof would give it; pointers are {@value #POINTER_SIZE} bytes.
     * Types without a size (void, FWD, FUNC, FUNC_PROTO, DECL_TAG) are a {@link BpfFormatException}.
     */
    public long sizeOf(BtfType type) {
        long mult = 1;
        BtfType t = type;
        for (int steps = 0; ; steps++) {
            if (steps > typeCount()) throw cycle("sizeOf", type);
            long size;
            switch (t) {
                case Int i -> size = Integer.toUnsignedLong(i.size());
                case Enumeration e -> size = Integer.toUnsignedLong(e.size());
                case Composite c -> size = Integer.toUnsignedLong(c.size());
                case BtfType.Float f -> size = Integer.toUnsignedLong(f.size());
                case Datasec d -> size = Integer.toUnsignedLong(d.size());
                case Ptr _ -> size = POINTER_SIZE;
                case Array a -> {
                    mult = multiply(mult, Integer.toUnsignedLong(a.nelems()), type);
                    t = typeById(a.elemType());
                    continue;
                }
                case Typedef r -> {
                    t = typeById(r.type());
                    continue;
                }
                case Qualifier r -> {
                    t = typeById(r.type());
                    continue;
                }
                case TypeTag r -> {
                    t = typeById(r.type());
                    continue;
                }
                case Var r -> {
                    t = typeById(r.type());
                    continue;
                }
                default -> throw new BpfFormatException("BTF: sizeOf " + describe(type) + ": " + t.kind().kernelName() + " has no size");
            }
            return multiply(mult, size, type);
        }
    }

    /** sizeOf of the type with this id. */
    public long sizeOf(int id) {
        return sizeOf(typeById(id));
    }

    private static long multiply(long a, long b, BtfType of) {
        long r = a * b;
        if (a != 0 && (r / a != b || r < 0)) throw new BpfFormatException("BTF: size of " + describe(of) + " overflows");
        return r;
    }

    /**
     * The alignment in bytes, computed like libbpf's {@code btf__align_of}: a struct whose
     * member offsets or size contradict natural alignment is packed (1).
     */
    public int alignOf(BtfType type) {
        return alignOf(type, new BitSet(), 0, type);
    }

    private int alignOf(BtfType t, BitSet active, int depth, BtfType root) {
        if (depth > MAX_DEPTH) throw new BpfFormatException("BTF: alignOf " + describe(root) + ": nesting deeper than " + MAX_DEPTH);
        // Arrays, typedefs, qualifiers, tags and variables align as what they name: a loop, not recursion.
        for (int steps = 0; t instanceof Array || t instanceof Typedef || t instanceof Qualifier || t instanceof TypeTag || t instanceof Var; steps++) {
            if (steps > typeCount()) throw cycle("alignOf", root);
            t = typeById(t instanceof Array a ? a.elemType() : ((BtfType.Reference) t).type());
        }
        return switch (t) {
            case Int i -> Math.max(1, Math.min(POINTER_SIZE, i.size()));
            case BtfType.Float f -> Math.max(1, Math.min(POINTER_SIZE, f.size()));
            case Enumeration e -> Math.max(1, Math.min(POINTER_SIZE, e.size()));
            case Ptr _ -> POINTER_SIZE;
            case Composite c -> {
                if (active.get(c.id())) throw cycle("alignOf", root);
                active.set(c.id());
                int max = 1;
                boolean packed = false;
                for (Member m : c.members()) {
                    int a = alignOf(typeById(m.type()), active, depth + 1, root);
                    max = Math.max(max, a);
                    if (m.bitfieldSize() == 0 && Integer.toUnsignedLong(m.bitOffset()) % (8L * a) != 0) packed = true;
                }
                active.clear(c.id());
                yield packed || Integer.toUnsignedLong(c.size()) % max != 0 ? 1 : max;
            }
            default -> throw new BpfFormatException("BTF: alignOf " + describe(root) + ": " + t.kind().kernelName() + " has no alignment");
        };
    }

    /**
     * Where a member lives: {@code bitOffset} from the start of the outermost type, the member's
     * {@code type} id and, for a bitfield, its width in bits (0 otherwise).
     */
    public record Field(int type, long bitOffset, int bitfieldSize) {
        public long byteOffset() {
            return bitOffset >>> 3;
        }

        public boolean isBitfield() {
            return bitfieldSize != 0;
        }
    }

    /**
     * The location of one member of a struct or union, with the bitfield size under either
     * kind_flag encoding.
     */
    public Field member(Composite owner, Member m) {
        long off = Integer.toUnsignedLong(m.bitOffset());
        if (owner.kindFlag()) return new Field(m.type(), off, m.bitfieldSize());
        // Old encoding: a bitfield is an INT member type narrower than its storage.
        if (resolve(m.type()) instanceof Int i && (i.bitOffset() != 0 || i.bits() != i.size() * 8)) {
            return new Field(m.type(), off + i.bitOffset(), i.bits());
        }
        return new Field(m.type(), off, 0);
    }

    /**
     * Follows a member path such as {@code "se.avg.load_avg"} or {@code "comm[3]"} from a struct
     * or union, looking through anonymous members as C does, and sums the offsets. Empty when a
     * component does not exist or is applied to a type that has no members.
     */
    public Optional<Field> memberByPath(BtfType root, String path) {
        Field at = new Field(root.id(), 0, 0);
        for (String part : path.split("\\.", -1)) {
            String name = part;
            List<Long> indexes = new ArrayList<>();
            int br = part.indexOf('[');
            if (br >= 0) {
                name = part.substring(0, br);
                String rest = part.substring(br);
                while (!rest.isEmpty()) {
                    int close = rest.indexOf(']');
                    if (!rest.startsWith("[") || close < 0) return Optional.empty();
                    try {
                        indexes.add(Long.parseLong(rest.substring(1, close)));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                    rest = rest.substring(close + 1);
                }
            }
            if (!(resolve(at.type()) instanceof Composite c)) return Optional.empty();
            Field f = findMember(c, name, 0, root);
            if (f == null) return Optional.empty();
            at = new Field(f.type(), at.bitOffset() + f.bitOffset(), f.bitfieldSize());
            for (long ix : indexes) {
                if (!(resolve(at.type()) instanceof Array a) || ix < 0) return Optional.empty();
                long elem = sizeOf(a.elemType());
                at = new Field(a.elemType(), at.bitOffset() + multiply(multiply(ix, elem, a), 8, a), 0);
            }
        }
        return Optional.of(at);
    }

    private Field findMember(Composite c, String name, int depth, BtfType root) {
        if (depth > MAX_DEPTH) throw new BpfFormatException("BTF: memberByPath " + describe(root) + ": nesting deeper than " + MAX_DEPTH);
        for (Member m : c.members()) {
            if (m.name().equals(name)) return member(c, m);
        }
        for (Member m : c.members()) {
            if (m.name().isEmpty() && resolve(m.type()) instanceof Composite inner) {
                Field f = findMember(inner, name, depth + 1, root);
                if (f != null) return new Field(f.type(), Integer.toUnsignedLong(m.bitOffset()) + f.bitOffset(), f.bitfieldSize());
            }
        }
        return null;
    }

    private static BpfFormatException cycle(String op, BtfType from) {
        return new BpfFormatException("BTF: " + op + " " + describe(from) + ": reference cycle");
    }

    /** {@code STRUCT 'name' [id]}, for messages. */
    static String describe(BtfType t) {
        return t.kind().kernelName() + " '" + Escape.text(t.name()) + "' [" + t.id() + "]";
    }

    // ---- encoding and dumping ----

    /** Encodes this BTF (for split BTF: only its own types and strings) as raw bytes. */
    public byte[] toBytes() {
        return BtfEncoder.encode(this);
    }

    /** The raw text of {@code bpftool btf dump ... format raw}. */
    public String dumpRaw() {
        StringBuilder sb = new StringBuilder();
        BtfRawDumper.dump(this, sb);
        return sb.toString();
    }

    /**
     * A C header ({@code vmlinux.h}) declaring every named type, like {@code bpftool btf dump ...
     * format c}: it compiles with clang for BPF and wraps records in {@code preserve_access_index}.
     */
    public String dumpC() {
        return new BtfCDumper(this).dump();
    }

    // ---- package-private access for the encoder ----

    int nameOffset(int id) {
        return i32(offsets[id - firstId]);
    }

    byte[] stringSection() {
        return data.asSlice(strStart, strLen).toArray(ValueLayout.JAVA_BYTE);
    }

    int stringBase() {
        return strBase;
    }

    private int i32(int pos) {
        return data.get(LE_INT, pos);
    }

    private int u8(int pos) {
        return data.get(ValueLayout.JAVA_BYTE, pos) & 0xff;
    }

    private long u32(int pos) {
        return Integer.toUnsignedLong(i32(pos));
    }
}
