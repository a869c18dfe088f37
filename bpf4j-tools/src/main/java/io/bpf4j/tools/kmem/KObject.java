package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Enumeration;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Ptr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A typed kernel object: a BTF type and an address, as drgn's {@code Object}. Reading is lazy:
 * {@link #member}, {@link #index} and {@link #containerOf} compute addresses from BTF without
 * touching memory; {@link #value()}, {@link #deref()} and {@link #string()} read it.
 *
 * <p>Member paths use C syntax, {@code "aux->owner.type"}, {@code "func[1]->aux->id"}; a
 * {@code '.'} applied to a pointer dereferences it first (drgn's {@code member_}), so code can
 * be written once for a field that is embedded in one kernel and a pointer in another. A member
 * missing from this kernel's BTF, a NULL or unmapped pointer, an index past an array's end: each
 * is a {@link BpfException} naming the expression, never another exception.
 *
 * <p>An object made by {@link #addressOf()} is a value (a pointer not stored in memory).
 */
public final class KObject {
    private static final int MAX_STRING = 4096;

    private final Kernel kernel;
    private final BtfType type;
    private final long address;
    private final int bitShift, bitSize;
    private final String expr;
    private final boolean isValue;

    KObject(Kernel kernel, BtfType type, long address, int bitShift, int bitSize, String expr) {
        this(kernel, type, address, bitShift, bitSize, expr, false);
    }

    private KObject(Kernel kernel, BtfType type, long address, int bitShift, int bitSize, String expr, boolean isValue) {
        this.kernel = kernel;
        this.type = type;
        this.address = address;
        this.bitShift = bitShift;
        this.bitSize = bitSize;
        this.expr = expr;
        this.isValue = isValue;
    }

    /** The type as declared (typedefs and qualifiers kept). */
    public BtfType type() {
        return type;
    }

    /** The type behind typedefs and qualifiers. */
    public BtfType resolvedType() {
        return btf().resolve(type);
    }

    /** The address; for a value object made by {@link #addressOf()}, the pointer value. */
    public long address() {
        return address;
    }

    /** The C expression this object was reached by, for messages: {@code prog_idr.idr_rt.xa_head}. */
    public String expr() {
        return expr;
    }

    public Kernel kernel() {
        return kernel;
    }

    public String typeName() {
        return typeName(btf(), type);
    }

    public long size() {
        return btf().sizeOf(type);
    }

    public boolean isPointer() {
        return resolvedType() instanceof Ptr;
    }

    public boolean isBitfield() {
        return bitSize != 0;
    }

    private Btf btf() {
        return kernel.btf();
    }

    // ---- navigation (no memory read except to follow pointers) ----

    /** The member at {@code path}; pointers on the way are followed (read). */
    public KObject member(String path) {
        KObject o = this;
        for (Step s : parse(path, expr)) o = o.step(s);
        return o;
    }

    /** The member if this kernel's BTF has the path, else empty; pointers are followed as in {@link #member}. */
    public Optional<KObject> memberIfPresent(String path) {
        return pathType(kernel, type, path).isPresent() ? Optional.of(member(path)) : Optional.empty();
    }

    /** Whether this kernel's BTF has the path under this object's type (no memory is read). */
    public boolean hasMember(String path) {
        return pathType(kernel, type, path).isPresent();
    }

    private KObject step(Step s) {
        return switch (s) {
            case Step.Arrow a -> {
                if (!isPointer()) throw new BpfException(expr + "->" + a.name + ": " + typeName() + " is not a pointer");
                yield deref().field(a.name, expr + "->" + a.name);
            }
            case Step.Dot d -> (isPointer() ? deref() : this).field(d.name, (isPointer() ? expr + "->" : expr + ".") + d.name);
            case Step.Index i -> index(i.index);
        };
    }

    private KObject field(String name, String newExpr) {
        BtfType t = resolvedType();
        if (!(t instanceof Composite c)) throw new BpfException(newExpr + ": " + typeName() + " has no members");
        Btf.Field f = findMember(c, name, 0);
        if (f == null) throw new BpfException(newExpr + ": " + typeName() + " has no member '" + name + "' in this kernel's BTF");
        long bits = (long) bitShift + f.bitOffset();
        return new KObject(kernel, btf().typeById(f.type()), address + (bits >>> 3), (int) (bits & 7), f.bitfieldSize(), newExpr);
    }

    private Btf.Field findMember(Composite c, String name, int depth) {
        if (depth > 64) throw new BpfException(expr + ": anonymous members nested deeper than 64");
        for (Member m : c.members()) if (m.name().equals(name)) return btf().member(c, m);
        for (Member m : c.members()) {
            if (m.name().isEmpty() && btf().resolve(m.type()) instanceof Composite inner) {
                Btf.Field f = findMember(inner, name, depth + 1);
                if (f != null) return new Btf.Field(f.type(), Integer.toUnsignedLong(m.bitOffset()) + f.bitOffset(), f.bitfieldSize());
            }
        }
        return null;
    }

    /**
     * Element {@code i}: of an array (bounds-checked unless it is a flexible array member), or of
     * the memory a pointer points at (the pointer is read).
     */
    public KObject index(long i) {
        String e = expr + "[" + i + "]";
        BtfType t = resolvedType();
        if (t instanceof Array a) {
            long n = Integer.toUnsignedLong(a.nelems());
            if (i < 0 || (n != 0 && i >= n)) throw new BpfException(e + ": index out of range 0.." + (n - 1));
            BtfType elem = btf().typeById(a.elemType());
            return new KObject(kernel, elem, address + i * btf().sizeOf(elem), 0, 0, e);
        }
        if (t instanceof Ptr p) {
            BtfType elem = btf().typeById(p.type());
            return new KObject(kernel, elem, nonNull(e) + i * btf().sizeOf(elem), 0, 0, e);
        }
        throw new BpfException(e + ": " + typeName() + " is neither an array nor a pointer");
    }

    /** The number of elements of an array type (0 for a flexible array member). */
    public long length() {
        if (resolvedType() instanceof Array a) return Integer.toUnsignedLong(a.nelems());
        throw new BpfException(expr + ": " + typeName() + " is not an array");
    }

    /** The object a pointer points at; a NULL pointer is an error (check {@link #isNull()} first). */
    public KObject deref() {
        if (!(resolvedType() instanceof Ptr p)) throw new BpfException("*" + expr + ": " + typeName() + " is not a pointer");
        return new KObject(kernel, btf().typeById(p.type()), nonNull("*" + expr), 0, 0, "(*" + expr + ")");
    }

    private long nonNull(String e) {
        long v = pointer();
        if (v == 0) throw new BpfException(e + ": NULL pointer (" + expr + " is NULL)");
        return v;
    }

    /** A pointer to this object, as a value ({@code &obj}); its type must exist in BTF. */
    public KObject addressOf() {
        if (isValue) throw new BpfException("&" + expr + ": a value has no address");
        int ptr = kernel.pointerTo(type.id()).orElseThrow(
                () -> new BpfException("&" + expr + ": kernel BTF has no pointer type to " + typeName()));
        return new KObject(kernel, btf().typeById(ptr), address, 0, 0, "&" + expr, true);
    }

    /**
     * The structure that contains this object as member {@code memberPath}: C's
     * {@code container_of}. A pointer is dereferenced first (it points at the member).
     */
    public KObject containerOf(String containerType, String memberPath) {
        BtfType ct = kernel.type(containerType);
        long member = isPointer() ? nonNull("container_of(" + expr + ")") : address;
        Btf.Field f = btf().memberByPath(ct, memberPath).orElseThrow(
                () -> new BpfException("container_of(" + expr + ", " + containerType + ", " + memberPath + "): no such member in this kernel's BTF"));
        return new KObject(kernel, ct, member - f.byteOffset(), 0, 0,
                "container_of(" + expr + ", " + containerType + ", " + memberPath + ")");
    }

    /** The same memory seen as another type; a pointer value is reinterpreted as a pointer. */
    public KObject cast(String typeName) {
        BtfType t = kernel.type(typeName);
        return new KObject(kernel, t, address, bitShift, bitSize, "(" + typeName + ")" + expr, isValue);
    }

    // ---- reading ----

    /** Integer, bool, enum or pointer value, sign-extended for signed types; bitfields extracted. */
    public long value() {
        if (isValue) return address;
        BtfType t = resolvedType();
        int size;
        boolean signed;
        switch (t) {
            case Int i -> {
                size = i.size();
                signed = i.signed();
            }
            case Enumeration e -> {
                size = e.size();
                signed = e.signed();
            }
            case Ptr _ -> {
                size = 8;
                signed = false;
            }
            default -> throw new BpfException(expr + ": " + typeName() + " is not a scalar");
        }
        if (size < 1 || size > 8) throw new BpfException(expr + ": " + typeName() + " is " + size + " bytes, more than 64 bits");
        if (bitSize == 0 && bitShift == 0) {
            long v = KernelMemory.le(read(size), size);
            return signed && size < 8 ? v << (64 - 8 * size) >> (64 - 8 * size) : v;
        }
        int bits = bitSize != 0 ? bitSize : size * 8;
        if (bits > 64) throw new BpfException(expr + ": bitfield of " + bits + " bits");
        byte[] raw = read((bitShift + bits + 7) / 8);
        long lo = KernelMemory.le(raw, Math.min(8, raw.length));
        long v = lo >>> bitShift;
        if (raw.length == 9) v |= (long) (raw[8] & 0xff) << (64 - bitShift);
        if (bits < 64) {
            v &= (1L << bits) - 1;
            if (signed) v = v << (64 - bits) >> (64 - bits);
        }
        return v;
    }

    /** The pointer value (0 for NULL). */
    public long pointer() {
        if (!isPointer()) throw new BpfException(expr + ": " + typeName() + " is not a pointer");
        return value();
    }

    public boolean isNull() {
        return pointer() == 0;
    }

    public boolean bool() {
        return value() != 0;
    }

    public int intValue() {
        return (int) value();
    }

    /** The enumerator's name, or the number in decimal when the enum has no such value. */
    public String enumName() {
        if (!(resolvedType() instanceof Enumeration e)) throw new BpfException(expr + ": " + typeName() + " is not an enum");
        long v = value();
        for (BtfType.EnumValue ev : e.values()) {
            long want = e.size() < 8 && !e.signed() ? ev.value() & ((1L << (8 * e.size())) - 1) : ev.value();
            if (want == v) return ev.name();
        }
        return Long.toString(v);
    }

    /** A char array's text up to its first NUL, or the NUL-terminated string a char pointer points at. */
    public String string() {
        BtfType t = resolvedType();
        if (t instanceof Array a) {
            int n = (int) Math.min(Integer.toUnsignedLong(a.nelems()) * btf().sizeOf(a.elemType()), MAX_STRING);
            byte[] b = read(n);
            int len = 0;
            while (len < n && b[len] != 0) len++;
            return new String(b, 0, len, StandardCharsets.UTF_8);
        }
        if (t instanceof Ptr) {
            long p = nonNull("*" + expr);
            try {
                return kernel.memory().cString(p, MAX_STRING);
            } catch (MemoryFault f) {
                throw new MemoryFault(f.address(), f.length(), "string " + expr + ": " + f.getMessage());
            }
        }
        throw new BpfException(expr + ": " + typeName() + " is not a string");
    }

    /** The object's bytes. */
    public byte[] bytes() {
        return read((int) Math.min(size(), Integer.MAX_VALUE));
    }

    private byte[] read(int n) {
        try {
            return kernel.memory().read(address, n);
        } catch (MemoryFault f) {
            throw new MemoryFault(f.address(), f.length(), f.getMessage().replaceFirst("^read \\d+ bytes at 0x[0-9a-f]+: ", "")
                    + " (reading " + expr + ")");
        }
    }

    /** Members of a struct or union, in order, as objects (anonymous members included as they are). */
    public List<KObject> members() {
        if (!(resolvedType() instanceof Composite c)) throw new BpfException(expr + ": " + typeName() + " has no members");
        List<KObject> out = new ArrayList<>();
        for (Member m : c.members()) {
            Btf.Field f = btf().member(c, m);
            long bits = (long) bitShift + f.bitOffset();
            String n = m.name().isEmpty() ? "<anon>" : m.name();
            out.add(new KObject(kernel, btf().typeById(f.type()), address + (bits >>> 3), (int) (bits & 7), f.bitfieldSize(),
                    expr + "." + n));
        }
        return out;
    }

    /** The member's name in its parent (the last component of {@link #expr()}). */
    public String name() {
        int i = Math.max(expr.lastIndexOf('.'), expr.lastIndexOf('>'));
        return i >= 0 ? expr.substring(i + 1) : expr;
    }

    /**
     * A readable rendering like drgn's: scalars as numbers (enums by name, pointers in hex),
     * char arrays as strings, structs member by member to {@code depth} levels. Members that
     * cannot be read show the error instead of stopping the dump.
     */
    public String format(int depth) {
        StringBuilder sb = new StringBuilder();
        format(sb, depth, 0);
        return sb.toString();
    }

    private void format(StringBuilder sb, int depth, int indent) {
        try {
            BtfType t = resolvedType();
            switch (t) {
                case Composite c -> {
                    if (depth <= 0) {
                        sb.append(String.format("{...} @0x%x", address));
                        return;
                    }
                    sb.append("{\n");
                    for (KObject m : members()) {
                        sb.append("  ".repeat(indent + 1)).append('.').append(m.name()).append(" = ");
                        m.format(sb, depth - 1, indent + 1);
                        sb.append(",\n");
                    }
                    sb.append("  ".repeat(indent)).append('}');
                }
                case Array a when btf().resolve(a.elemType()) instanceof Int i && (i.encoding() & Int.CHAR) != 0 || isCharArray(a) ->
                        sb.append('"').append(string().replace("\"", "\\\"")).append('"');
                case Array a -> {
                    long n = Integer.toUnsignedLong(a.nelems());
                    sb.append('[');
                    for (long i = 0; i < Math.min(n, 16); i++) {
                        if (i > 0) sb.append(", ");
                        index(i).format(sb, depth - 1, indent + 1);
                    }
                    if (n > 16) sb.append(", ... (").append(n).append(')');
                    sb.append(']');
                }
                case Ptr _ -> sb.append(String.format("(%s)0x%x", typeName(), pointer()));
                case Enumeration _ -> sb.append(enumName());
                case Int i when (i.encoding() & Int.BOOL) != 0 -> sb.append(bool());
                case Int _ -> sb.append(value());
                default -> sb.append('<').append(t.kind().kernelName()).append('>');
            }
        } catch (BpfException e) {
            sb.append("<error: ").append(e.getMessage()).append('>');
        }
    }

    private boolean isCharArray(Array a) {
        return btf().resolve(a.elemType()) instanceof Int i && i.size() == 1 && i.name().equals("char");
    }

    @Override
    public String toString() {
        if (isValue || isPointer()) {
            try {
                return String.format("(%s)0x%x", typeName(), isValue ? address : pointer());
            } catch (BpfException e) {
                return "(" + typeName() + ")<" + e.getMessage() + ">";
            }
        }
        return String.format("*(%s *)0x%x", typeName(), address);
    }

    // ---- paths and type names ----

    /** One step of a member path. */
    sealed interface Step {
        record Dot(String name) implements Step {}

        record Arrow(String name) implements Step {}

        record Index(long index) implements Step {}
    }

    static List<Step> parse(String path, String base) {
        List<Step> out = new ArrayList<>();
        int i = 0, n = path.length();
        boolean first = true;
        while (i < n) {
            char c = path.charAt(i);
            if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) throw badPath(path, base, "unclosed [");
                try {
                    out.add(new Step.Index(Long.parseLong(path.substring(i + 1, close).trim())));
                } catch (NumberFormatException e) {
                    throw badPath(path, base, "index is not a number");
                }
                i = close + 1;
                first = false;
                continue;
            }
            boolean arrow = false;
            if (c == '.') {
                i++;
            } else if (path.startsWith("->", i)) {
                arrow = true;
                i += 2;
            } else if (!first) {
                throw badPath(path, base, "expected '.', '->' or '[' at " + i);
            }
            int start = i;
            while (i < n && (Character.isLetterOrDigit(path.charAt(i)) || path.charAt(i) == '_')) i++;
            if (i == start) throw badPath(path, base, "missing member name at " + start);
            String name = path.substring(start, i);
            out.add(arrow ? new Step.Arrow(name) : new Step.Dot(name));
            first = false;
        }
        return out;
    }

    private static BpfException badPath(String path, String base, String why) {
        return new BpfException("member path '" + path + "' of " + base + ": " + why);
    }

    /** The type the path leads to from {@code root}, pointers followed by type only; empty if absent. */
    static Optional<BtfType> pathType(Kernel kernel, BtfType root, String path) {
        Btf btf = kernel.btf();
        BtfType t = root;
        for (Step s : parse(path, typeName(btf, root))) {
            BtfType r = btf.resolve(t);
            switch (s) {
                case Step.Index _ -> {
                    if (r instanceof Array a) t = btf.typeById(a.elemType());
                    else if (r instanceof Ptr p) t = btf.typeById(p.type());
                    else return Optional.empty();
                }
                case Step.Arrow a -> {
                    if (!(r instanceof Ptr p)) return Optional.empty();
                    Optional<Btf.Field> f = btf.memberByPath(btf.resolve(p.type()), a.name());
                    if (f.isEmpty()) return Optional.empty();
                    t = btf.typeById(f.get().type());
                }
                case Step.Dot d -> {
                    BtfType owner = r instanceof Ptr p ? btf.resolve(p.type()) : r;
                    Optional<Btf.Field> f = btf.memberByPath(owner, d.name());
                    if (f.isEmpty()) return Optional.empty();
                    t = btf.typeById(f.get().type());
                }
            }
        }
        return Optional.of(t);
    }

    /** C spelling of a type: {@code struct bpf_map *}, {@code u32}, {@code char [16]}. */
    public static String typeName(Btf btf, BtfType t) {
        StringBuilder suffix = new StringBuilder();
        BtfType cur = t;
        for (int depth = 0; depth < 32; depth++) {
            switch (cur) {
                case Ptr p -> {
                    suffix.insert(0, " *");
                    cur = btf.typeById(p.type());
                }
                case Array a -> {
                    suffix.append('[').append(Integer.toUnsignedLong(a.nelems())).append(']');
                    cur = btf.typeById(a.elemType());
                }
                case BtfType.Qualifier q -> {
                    String w = q.kind().kernelName().toLowerCase(java.util.Locale.ROOT);
                    suffix.insert(0, " " + w);
                    cur = btf.typeById(q.type());
                }
                case BtfType.TypeTag tt -> cur = btf.typeById(tt.type());
                default -> {
                    String base = switch (cur) {
                        case BtfType.Struct s -> "struct " + (s.name().isEmpty() ? "<anon>" : s.name());
                        case BtfType.Union u -> "union " + (u.name().isEmpty() ? "<anon>" : u.name());
                        case Enumeration e -> "enum " + (e.name().isEmpty() ? "<anon>" : e.name());
                        case BtfType.Void _ -> "void";
                        case BtfType.FuncProto _ -> "<func>";
                        case BtfType.Fwd f -> (f.union() ? "union " : "struct ") + f.name();
                        default -> cur.name();
                    };
                    String s = suffix.toString();
                    return base + (s.startsWith("[") ? " " + s : s);
                }
            }
        }
        return "<type nested too deep>";
    }
}
