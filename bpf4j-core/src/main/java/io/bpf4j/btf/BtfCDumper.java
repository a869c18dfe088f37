package io.bpf4j.btf;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Enumeration;
import io.bpf4j.btf.BtfType.FuncProto;
import io.bpf4j.btf.BtfType.Fwd;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.Ptr;
import io.bpf4j.btf.BtfType.Qualifier;
import io.bpf4j.btf.BtfType.TypeTag;
import io.bpf4j.btf.BtfType.Typedef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes BTF as a C header that compiles, like {@code bpftool btf dump ... format c}: named
 * structs, unions, enums and typedefs, each after what it needs by value, with forward
 * declarations for what is only pointed to; anonymous types inline; explicit padding and
 * {@code packed} where the BTF layout differs from what C would choose. Distinct types sharing a
 * name get bpftool's {@code ___2} suffixes, so the kernel's duplicate names do not clash.
 */
final class BtfCDumper {
    private static final byte NONE = 0, IN_PROGRESS = 1, DONE = 2;

    private final Btf btf;
    private final StringBuilder out;
    private final byte[] state;
    private final String[] names;
    private final Map<Integer, String[]> enumeratorNames = new HashMap<>();
    private final Set<String> declaredTags = new HashSet<>();
    private final boolean[] anonEnumReferenced;
    private final boolean[] anonEnumEmitted;
    private final boolean[] inlining;
    /** Per type, the flag combinations need() has walked it with (anonymous composites and prototypes). */
    private final byte[] walked;
    /** Lines left before the dump is judged runaway: shared anonymous types inline once per use. */
    private long lineBudget;

    BtfCDumper(Btf btf) {
        this.btf = btf;
        int n = btf.typeCount();
        // vmlinux's header takes 22 characters per type (2.8 MB for 126k types on 6.18); a
        // program's few types should not cost a megabyte.
        out = new StringBuilder((int) Math.min(1 << 24, 256 + 24L * n));
        state = new byte[n];
        names = new String[n];
        anonEnumReferenced = new boolean[n];
        anonEnumEmitted = new boolean[n];
        inlining = new boolean[n];
        walked = new byte[n];
    }

    String dump() {
        lineBudget = 1_000_000;
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.typeById(id) instanceof Composite c) lineBudget += 8L * c.members().size();
            else if (btf.typeById(id) instanceof Enumeration e) lineBudget += 8L * e.values().size();
        }
        assignNames();
        out.append("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
        out.append("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n");
        out.append("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n");
        out.append("#endif\n\n");
        int n = btf.typeCount();
        for (int id = 1; id < n; id++) {
            BtfType t = btf.typeById(id);
            boolean named = !t.name().isEmpty();
            switch (t) {
                case Composite _ when named -> define(id, 0);
                case Enumeration _ when named || !anonEnumReferenced[t.id()] -> define(id, 0);
                case Typedef _ when t.name().equals("__builtin_va_list") -> {} // a compiler built-in already
                case Typedef _ -> define(id, 0);
                case Fwd _ -> declareTag(id);
                default -> {}
            }
        }
        // Anonymous enums that only unprinted types (variables, functions) refer to: keep their constants.
        for (int id = 1; id < n; id++) {
            if (anonEnumReferenced[id] && !anonEnumEmitted[id]) define(id, 0);
        }
        out.append("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
        out.append("#endif /* __VMLINUX_H__ */\n");
        return out.toString();
    }

    // ---- names ----

    /** Tags (struct/union/enum) and ordinary identifiers (typedefs, enumerators) each get unique names in id order. */
    private void assignNames() {
        Map<String, Integer> tagCount = new HashMap<>();
        Map<String, Integer> identCount = new HashMap<>();
        Map<String, Integer> firstDefinition = new HashMap<>(); // "struct x"/"union x" -> id
        int n = btf.typeCount();
        for (int id = 1; id < n; id++) {
            BtfType t = btf.typeById(id);
            switch (t) {
                case Composite c when !c.name().isEmpty() -> {
                    names[id] = unique(tagCount, c.name());
                    firstDefinition.putIfAbsent((c instanceof BtfType.Union ? "union " : "struct ") + c.name(), id);
                }
                case Enumeration e -> {
                    if (!e.name().isEmpty()) names[id] = unique(tagCount, e.name());
                    String[] vs = new String[e.values().size()];
                    boolean renamed = false;
                    for (int i = 0; i < vs.length; i++) {
                        String v = e.values().get(i).name();
                        vs[i] = unique(identCount, v);
                        renamed |= !vs[i].equals(v);
                    }
                    if (renamed) enumeratorNames.put(id, vs);
                }
                case Typedef td -> names[id] = unique(identCount, td.name());
                default -> {}
            }
            markAnonEnumReferences(t);
        }
        for (int id = 1; id < n; id++) {
            if (btf.typeById(id) instanceof Fwd f) {
                Integer def = firstDefinition.get((f.union() ? "union " : "struct ") + f.name());
                // A forward declaration names its definition; without one it gets a tag of its own.
                names[id] = def != null ? names[def] : tagCount.containsKey(f.name()) ? unique(tagCount, f.name()) : f.name();
                tagCount.putIfAbsent(f.name(), 1);
            }
        }
    }

    private static String unique(Map<String, Integer> counts, String name) {
        int c = counts.merge(name, 1, Integer::sum);
        return c == 1 ? name : name + "___" + c;
    }

    /** Anonymous enums named by a declarator elsewhere are printed there, inline, not on their own. */
    private void markAnonEnumReferences(BtfType t) {
        switch (t) {
            case Composite c -> c.members().forEach(m -> markAnonEnum(m.type()));
            case Typedef r -> markAnonEnum(r.type());
            case Qualifier r -> markAnonEnum(r.type());
            case TypeTag r -> markAnonEnum(r.type());
            case Ptr r -> markAnonEnum(r.type());
            case Array a -> markAnonEnum(a.elemType());
            case FuncProto f -> {
                markAnonEnum(f.returnType());
                f.params().forEach(p -> markAnonEnum(p.type()));
            }
            default -> {}
        }
    }

    private void markAnonEnum(int id) {
        if (id > 0 && id < btf.typeCount() && btf.typeById(id) instanceof Enumeration e && e.name().isEmpty()) {
            anonEnumReferenced[id] = true;
        }
    }

    private String tag(BtfType t) {
        return switch (t) {
            case BtfType.Union _ -> "union " + names[t.id()];
            case Fwd f -> (f.union() ? "union " : "struct ") + names[t.id()];
            case Enumeration _ -> "enum " + names[t.id()];
            default -> "struct " + names[t.id()];
        };
    }

    // ---- ordering ----

    /**
     * Deeper nesting than this (types inside types by value, typedefs, anonymous members,
     * function prototypes) is malformed input. The dump recurses once per level, and at this
     * limit the recursion fits a 512 KB thread stack with room to spare (BtfCDumpDepthTest);
     * the kernels' own BTF nests 14 to 17 levels. Chains of pointers, arrays, qualifiers and
     * type tags cost no recursion: they are followed in loops.
     */
    static final int MAX_NESTING = Btf.MAX_DEPTH;

    /** The longest declaration of one name: the kernel's are below 1000 characters. */
    static final int MAX_DECLARATION = 1 << 16;

    /** The deepest nesting this dump reached, for tests. */
    int deepest;

    private void enter(int depth, int id) {
        if (depth > MAX_NESTING) throw new BpfFormatException("BTF: C dump: type [" + id + "] nested deeper than " + MAX_NESTING);
        if (depth > deepest) deepest = depth;
    }

    /**
     * Makes {@code id} usable from here on: {@code complete} when it is used by value (its
     * definition must come first), otherwise declared. A struct tag first seen in a member or a
     * typedef is declared at file scope by that use, so only parameter lists ({@code inParams},
     * where it would get prototype scope) need a forward declaration. {@code viaPointer}: reached
     * through a pointer, where a type still being defined may be named.
     */
    private void need(int id, boolean complete, boolean viaPointer, boolean inParams, int depth) {
        enter(depth, id);
        BtfType t = btf.typeById(id);
        // Pointers, arrays, qualifiers and tags only change how the type behind them is needed.
        for (int steps = 0; t instanceof Ptr || t instanceof Array || t instanceof Qualifier || t instanceof TypeTag; steps++) {
            if (steps > MAX_NESTING) throw new BpfFormatException("BTF: C dump: type [" + id + "] nested deeper than " + MAX_NESTING);
            switch (t) {
                case Ptr p -> {
                    id = p.type();
                    complete = false;
                    viaPointer = true;
                }
                case Array a -> {
                    id = a.elemType();
                    complete = true;
                }
                default -> id = ((BtfType.Reference) t).type();
            }
            t = btf.typeById(id);
        }
        if (t instanceof FuncProto || (t instanceof Composite c && c.name().isEmpty())) {
            // What these need depends on the two flags only, and a second walk with the same flags
            // finds it all done: walk once, or types shared along a chain cost 2^depth walks.
            int bit = 1 << ((viaPointer ? 1 : 0) | (inParams ? 2 : 0));
            if ((walked[id] & bit) != 0) return;
            walked[id] |= (byte) bit;
        }
        switch (t) {
            case Composite c when c.name().isEmpty() -> {
                if (inlining[id]) throw new BpfFormatException("BTF: C dump: anonymous " + Btf.describe(t) + " contains itself");
                inlining[id] = true;
                for (Member m : c.members()) need(m.type(), true, viaPointer, inParams, depth + 1);
                inlining[id] = false;
            }
            case Composite _ -> {
                if (complete && !(viaPointer && state[id] == IN_PROGRESS)) define(id, depth + 1);
                else if (inParams) declareTag(id);
            }
            case Enumeration e when !e.name().isEmpty() -> define(id, depth + 1);
            case Fwd _ -> {
                if (inParams) declareTag(id);
            }
            case Typedef td when td.name().equals("__builtin_va_list") -> {}
            case Typedef td -> {
                if (complete) need(td.type(), true, viaPointer, inParams, depth + 1);
                define(id, depth + 1);
            }
            case FuncProto f -> {
                // walked[] already stops a prototype that takes a pointer to itself; declaration() reports it.
                need(f.returnType(), false, true, inParams, depth + 1);
                for (Param p : f.params()) need(p.type(), false, true, true, depth + 1);
            }
            case Int _, BtfType.Float _, BtfType.Void _, Enumeration _ -> {}
            default -> throw new BpfFormatException("BTF: C dump: " + Btf.describe(t) + " cannot be part of a C type");
        }
    }

    private void declareTag(int id) {
        BtfType t = btf.typeById(id);
        String tag = tag(t);
        if (state[id] == DONE || !declaredTags.add(tag)) return;
        out.append(tag).append(";\n\n");
    }

    /** Prints the definition of a named composite, an enum or a typedef, after what it needs. */
    private void define(int id, int depth) {
        if (state[id] == DONE) return;
        enter(depth, id);
        BtfType t = btf.typeById(id);
        if (state[id] == IN_PROGRESS) throw new BpfFormatException("BTF: C dump: " + Btf.describe(t) + " contains itself");
        state[id] = IN_PROGRESS;
        switch (t) {
            case Composite c -> {
                for (Member m : c.members()) need(m.type(), true, false, false, depth + 1);
                out.append(body(c, 0, depth + 1)).append(";\n\n");
            }
            case Enumeration e -> out.append(enumBody(e, 0)).append(";\n\n");
            case Typedef td -> {
                need(td.type(), false, false, false, depth + 1);
                out.append("typedef ").append(declaration(td.type(), names[id], 0, "", depth + 1)).append(";\n\n");
            }
            default -> throw new IllegalStateException("define " + t.kind());
        }
        state[id] = DONE;
        declaredTags.add(t instanceof Typedef ? "" : tag(t));
    }

    // ---- declarations ----

    /**
     * The C declaration of something of type {@code id} around declarator {@code inner}, e.g.
     * {@code int (*inner)(void)}. {@code quals} are qualifiers waiting for the next base type
     * or pointer; {@code indent} is the tab depth of the line the declaration starts on.
     * Pointers, arrays, qualifiers and tags wrap the declarator in a loop; only parameters and
     * anonymous members recurse.
     */
    private String declaration(int id, String inner, int indent, String quals, int depth) {
        enter(depth, id);
        BtfType t = btf.typeById(id);
        for (int steps = 0; ; steps++) {
            // Each step grows the declarator: a chain no C type has is refused before it gets costly.
            if (steps > MAX_NESTING) throw new BpfFormatException("BTF: C dump: type [" + id + "] nested deeper than " + MAX_NESTING);
            switch (t) {
                case Qualifier q -> {
                    String word = q.kind().name().toLowerCase() + " ";
                    // const applied to an array of const (how BTF spells "const char x[]") is one const in C
                    if (!quals.contains(word)) quals = quals + word;
                    id = q.type();
                }
                case TypeTag tt -> id = tt.type();
                case Ptr p -> {
                    String d = ("*" + quals + inner).stripTrailing();
                    inner = wrapsDeclarator(p.type()) ? "(" + d + ")" : d;
                    quals = "";
                    id = p.type();
                }
                case Array a -> {
                    inner = inner + "[" + Integer.toUnsignedString(a.nelems()) + "]";
                    id = a.elemType();
                }
                case FuncProto f -> {
                    if (inlining[id]) throw new BpfFormatException("BTF: C dump: " + Btf.describe(t) + " contains itself");
                    inlining[id] = true;
                    StringBuilder ps = new StringBuilder();
                    for (Param p : f.params()) {
                        if (!ps.isEmpty()) ps.append(", ");
                        ps.append(p.type() == 0 && p.name().isEmpty() ? "..." : declaration(p.type(), "", indent, "", depth + 1));
                        // Prototypes sharing parameter types double the text per level: stop early.
                        if (ps.length() + inner.length() > MAX_DECLARATION)
                            throw new BpfFormatException("BTF: C dump: declaration of " + Btf.describe(t) + " runs past " + MAX_DECLARATION + " characters");
                    }
                    inlining[id] = false;
                    inner = inner + "(" + (ps.isEmpty() ? "void" : ps) + ")";
                    quals = "";
                    id = f.returnType();
                }
                case BtfType.Void _ -> {
                    return base(quals, "void", inner);
                }
                case Int i -> {
                    return base(quals, i.name().isEmpty() ? intName(i.size(), i.signed()) : i.name(), inner);
                }
                case BtfType.Float f -> {
                    return base(quals, f.name(), inner);
                }
                case Typedef _ -> {
                    return base(quals, names[id], inner);
                }
                case Fwd _ -> {
                    return base(quals, tag(t), inner);
                }
                case Composite c when c.name().isEmpty() -> {
                    if (inlining[id]) throw new BpfFormatException("BTF: C dump: anonymous " + Btf.describe(t) + " contains itself");
                    inlining[id] = true;
                    String body = body(c, indent, depth + 1);
                    inlining[id] = false;
                    return base(quals, body, inner);
                }
                case Composite _ -> {
                    return base(quals, tag(t), inner);
                }
                case Enumeration e when e.name().isEmpty() -> {
                    if (anonEnumEmitted[id]) return base(quals, intName(e.size(), e.signed()), inner);
                    anonEnumEmitted[id] = true;
                    return base(quals, enumBody(e, indent), inner);
                }
                case Enumeration _ -> {
                    return base(quals, tag(t), inner);
                }
                default -> throw new BpfFormatException("BTF: C dump: " + Btf.describe(t) + " cannot be part of a C type");
            }
            t = btf.typeById(id);
        }
    }

    /** A pointer to an array or function needs parentheses: {@code int (*p)[4]}. */
    private boolean wrapsDeclarator(int id) {
        BtfType t = btf.typeById(id);
        for (int steps = 0; t instanceof Qualifier || t instanceof TypeTag; steps++) {
            if (steps > btf.typeCount()) throw new BpfFormatException("BTF: C dump: reference cycle at [" + id + "]");
            t = btf.typeById(((BtfType.Reference) t).type());
        }
        return t instanceof Array || t instanceof FuncProto;
    }

    private static String base(String quals, String type, String inner) {
        return quals + type + (inner.isEmpty() ? "" : " " + inner);
    }

    private static String intName(int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? "signed char" : "unsigned char";
            case 2 -> signed ? "short" : "unsigned short";
            case 8 -> signed ? "long long" : "unsigned long long";
            default -> signed ? "int" : "unsigned int";
        };
    }

    private String enumBody(Enumeration e, int indent) {
        StringBuilder sb = new StringBuilder(e.name().isEmpty() ? "enum {\n" : "enum " + names[e.id()] + " {\n");
        String[] renamed = enumeratorNames.get(e.id());
        boolean wide = e instanceof BtfType.Enum64;
        for (int i = 0; i < e.values().size(); i++) {
            EnumValue v = e.values().get(i);
            line();
            tabs(sb, indent + 1).append(renamed != null ? renamed[i] : v.name()).append(" = ");
            if (!wide) sb.append(e.signed() ? Long.toString((int) v.value()) : Long.toString(v.value() & 0xffffffffL));
            else if (!e.signed()) sb.append(Long.toUnsignedString(v.value())).append("ULL");
            else if (v.value() == Long.MIN_VALUE) sb.append("(-9223372036854775807LL - 1)");
            else sb.append(v.value()).append("LL");
            sb.append(",\n");
        }
        tabs(sb, indent).append('}');
        // C picks int for an enum; the kernel's one- and two-byte enums are packed ones.
        if (e.size() < 4) sb.append(" __attribute__((packed))");
        return sb.toString();
    }

    /** {@code struct name { members }} with padding members where the BTF offsets are not C's natural ones. */
    private String body(Composite c, int indent, int depth) {
        boolean union = c instanceof BtfType.Union;
        StringBuilder sb = new StringBuilder(union ? "union" : "struct");
        if (!c.name().isEmpty()) sb.append(' ').append(names[c.id()]);
        sb.append(" {\n");
        int maxAlign = 1;
        boolean packed = false;
        for (Member m : c.members()) {
            int a = btf.alignOf(btf.typeById(m.type()));
            maxAlign = Math.max(maxAlign, a);
            Btf.Field f = btf.member(c, m);
            if (!f.isBitfield() && f.bitOffset() % (8L * a) != 0) packed = true;
        }
        long size = Integer.toUnsignedLong(c.size()) * 8;
        if ((size / 8) % maxAlign != 0) packed = true;
        long cur = 0;
        for (Member m : c.members()) {
            Btf.Field f = btf.member(c, m);
            long off = f.bitOffset();
            if (!union) {
                int align = packed ? 1 : btf.alignOf(btf.typeById(m.type()));
                long natural;
                if (!f.isBitfield()) {
                    natural = roundUp(cur, 8L * align);
                } else {
                    long unit = 8L * align;
                    natural = packed || cur / unit == (cur + f.bitfieldSize() - 1) / unit ? cur : roundUp(cur, unit);
                }
                if (off > natural) pad(sb, indent + 1, cur, off);
                cur = off + (f.isBitfield() ? f.bitfieldSize() : 8 * btf.sizeOf(m.type()));
            }
            line();
            tabs(sb, indent + 1).append(declaration(m.type(), m.name(), indent + 1, "", depth + 1));
            if (f.isBitfield()) sb.append(": ").append(f.bitfieldSize());
            sb.append(";\n");
        }
        if (!union && size > roundUp(cur, 8L * (packed ? 1 : maxAlign))) pad(sb, indent + 1, cur, size);
        tabs(sb, indent).append('}');
        if (packed) sb.append(" __attribute__((packed))");
        return sb.toString();
    }

    /** Unnamed bitfields move the next member to {@code to}; each stays inside one 64-bit unit so C places it exactly. */
    private void pad(StringBuilder sb, int indent, long from, long to) {
        long at = from;
        while (at < to) {
            if (at % 64 == 0 && to - at >= 64 * 64) {
                // A long gap as 64-bit bitfields would be thousands of lines: one char array instead.
                long bytes = (to - at) / 8;
                line();
                tabs(sb, indent).append("unsigned char __pad_").append(at / 8).append('[').append(bytes).append("];\n");
                at += bytes * 8;
                continue;
            }
            long chunk = Math.min(to, (at / 64 + 1) * 64) - at;
            line();
            tabs(sb, indent).append("long: ").append(chunk).append(";\n");
            at += chunk;
        }
    }

    private void line() {
        if (--lineBudget < 0) throw new BpfFormatException("BTF: C dump: output runs away (anonymous types nested too often?)");
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }

    private static StringBuilder tabs(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) sb.append('\t');
        return sb;
    }
}
