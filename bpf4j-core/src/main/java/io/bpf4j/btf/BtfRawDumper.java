package io.bpf4j.btf;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Datasec;
import io.bpf4j.btf.BtfType.DeclTag;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Enumeration;
import io.bpf4j.btf.BtfType.Func;
import io.bpf4j.btf.BtfType.FuncProto;
import io.bpf4j.btf.BtfType.Fwd;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.Reference;
import io.bpf4j.btf.BtfType.Var;
import io.bpf4j.btf.BtfType.VarSecinfo;

/**
 * The text of {@code bpftool btf dump ... format raw}, byte for byte: users grep it and diff it
 * against bpftool's, so the format is bpftool's, quirks included (the comma after a VAR's type_id).
 */
final class BtfRawDumper {
    private BtfRawDumper() {}

    /** Dumps the types {@code btf} holds itself (split BTF: not its base's), as bpftool does. */
    static void dump(Btf btf, StringBuilder out) {
        for (int id = btf.firstTypeId(); id < btf.typeCount(); id++) {
            dumpType(btf, btf.typeById(id), out);
            out.append('\n');
        }
    }

    static void dumpType(Btf btf, BtfType t, StringBuilder o) {
        o.append('[').append(t.id()).append("] ").append(t.kind().kernelName()).append(' ');
        name(o, t.name());
        switch (t) {
            case Int i -> o.append(" size=").append(u(i.size())).append(" bits_offset=").append(i.bitOffset())
                    .append(" nr_bits=").append(i.bits()).append(" encoding=").append(switch (i.encoding()) {
                        case 0 -> "(none)";
                        case Int.SIGNED -> "SIGNED";
                        case Int.CHAR -> "CHAR";
                        case Int.BOOL -> "BOOL";
                        default -> "UNKN";
                    });
            case Array a -> o.append(" type_id=").append(u(a.elemType())).append(" index_type_id=").append(u(a.indexType()))
                    .append(" nr_elems=").append(u(a.nelems()));
            case Composite c -> {
                o.append(" size=").append(u(c.size())).append(" vlen=").append(c.members().size());
                for (Member m : c.members()) {
                    o.append("\n\t");
                    name(o, m.name());
                    o.append(" type_id=").append(u(m.type())).append(" bits_offset=").append(u(m.bitOffset()));
                    if (m.bitfieldSize() != 0) o.append(" bitfield_size=").append(m.bitfieldSize());
                }
            }
            case Enumeration e -> {
                o.append(" encoding=").append(e.signed() ? "SIGNED" : "UNSIGNED").append(" size=").append(u(e.size()))
                        .append(" vlen=").append(e.values().size());
                boolean wide = e instanceof BtfType.Enum64;
                for (EnumValue v : e.values()) {
                    o.append("\n\t");
                    name(o, v.name());
                    o.append(" val=");
                    if (!wide) o.append(e.signed() ? Long.toString((int) v.value()) : Long.toString(v.value() & 0xffffffffL));
                    else if (e.signed()) o.append(v.value()).append("LL");
                    else o.append(Long.toUnsignedString(v.value())).append("ULL");
                }
            }
            case Fwd f -> o.append(" fwd_kind=").append(f.union() ? "union" : "struct");
            case Func f -> o.append(" type_id=").append(u(f.type())).append(" linkage=").append(f.linkage().text());
            case FuncProto f -> {
                o.append(" ret_type_id=").append(u(f.returnType())).append(" vlen=").append(f.params().size());
                for (Param p : f.params()) {
                    o.append("\n\t");
                    name(o, p.name());
                    o.append(" type_id=").append(u(p.type()));
                }
            }
            case Var v -> o.append(" type_id=").append(u(v.type())).append(", linkage=").append(v.linkage().text());
            case Datasec d -> {
                o.append(" size=").append(u(d.size())).append(" vlen=").append(d.vars().size());
                for (VarSecinfo v : d.vars()) {
                    o.append("\n\ttype_id=").append(u(v.type())).append(" offset=").append(u(v.offset())).append(" size=")
                            .append(u(v.size()));
                    BtfType target = lookup(btf, v.type());
                    if (target != null) {
                        o.append(" (").append(target.kind().kernelName()).append(' ');
                        name(o, target.name());
                        o.append(')');
                    }
                }
            }
            case BtfType.Float f -> o.append(" size=").append(u(f.size()));
            case DeclTag d -> o.append(" type_id=").append(u(d.type())).append(" component_idx=").append(d.componentIdx());
            // PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG
            case Reference r -> o.append(" type_id=").append(u(r.type()));
            case BtfType.Void _ -> {}
        }
    }

    private static BtfType lookup(Btf btf, int id) {
        if (id <= 0 || id >= btf.typeCount()) return null;
        try {
            return btf.typeById(id);
        } catch (BpfFormatException e) {
            return null;
        }
    }

    private static void name(StringBuilder o, String name) {
        o.append('\'').append(name.isEmpty() ? "(anon)" : name).append('\'');
    }

    private static String u(int v) {
        return Integer.toUnsignedString(v);
    }
}
