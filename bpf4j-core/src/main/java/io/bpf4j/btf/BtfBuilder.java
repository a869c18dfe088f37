package io.bpf4j.btf;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Const;
import io.bpf4j.btf.BtfType.Datasec;
import io.bpf4j.btf.BtfType.DeclTag;
import io.bpf4j.btf.BtfType.Enum;
import io.bpf4j.btf.BtfType.Enum64;
import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Float;
import io.bpf4j.btf.BtfType.Func;
import io.bpf4j.btf.BtfType.FuncProto;
import io.bpf4j.btf.BtfType.Fwd;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Linkage;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.Ptr;
import io.bpf4j.btf.BtfType.Restrict;
import io.bpf4j.btf.BtfType.Struct;
import io.bpf4j.btf.BtfType.TypeTag;
import io.bpf4j.btf.BtfType.Typedef;
import io.bpf4j.btf.BtfType.Union;
import io.bpf4j.btf.BtfType.Var;
import io.bpf4j.btf.BtfType.VarSecinfo;
import io.bpf4j.btf.BtfType.Volatile;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds BTF in code, for program BTF loaded with {@code BPF_BTF_LOAD} and for rewriting types an
 * older kernel does not know ({@link #from} then {@link #replace}). Each {@code add} returns the
 * new type's id; references are plain ids, so a type may refer to one added later.
 */
public final class BtfBuilder {
    private final Btf base;
    private final List<BtfType> types = new ArrayList<>();

    /** Builds base BTF; ids start at 1. */
    public BtfBuilder() {
        this(null);
    }

    /** Builds split BTF on top of {@code base}: ids start at {@code base.typeCount()}. */
    public BtfBuilder(Btf base) {
        this.base = base;
    }

    /** A builder holding a copy of {@code btf}'s own types (same base), to modify and re-encode. */
    public static BtfBuilder from(Btf btf) {
        BtfBuilder b = new BtfBuilder(btf.base());
        b.types.addAll(btf.types());
        return b;
    }

    private int firstId() {
        return base == null ? 1 : base.typeCount();
    }

    /** The id the next added type will get. */
    public int nextId() {
        return firstId() + types.size();
    }

    public BtfType get(int id) {
        int i = id - firstId();
        if (i < 0 || i >= types.size()) throw new BpfFormatException("BTF builder: no type with id " + id);
        return types.get(i);
    }

    /** Appends a copy of {@code type} (from any BTF) under the next id; its references are kept as they are. */
    public int add(BtfType type) {
        int id = nextId();
        types.add(withId(type, id));
        return id;
    }

    /** Replaces the type with this id, e.g. a DECL_TAG by something an old kernel accepts. */
    public void replace(int id, BtfType type) {
        get(id);
        types.set(id - firstId(), withId(type, id));
    }

    public int addInt(String name, int size, int encoding) {
        return add(new Int(0, name, size, encoding, 0, size * 8));
    }

    public int addPtr(int type) {
        return add(new Ptr(0, "", type));
    }

    public int addArray(int elemType, int indexType, int nelems) {
        return add(new Array(0, "", elemType, indexType, nelems));
    }

    /** A struct; kind_flag is set when any member is a bitfield. */
    public int addStruct(String name, int size, List<Member> members) {
        return add(new Struct(0, name, size, members, hasBitfield(members)));
    }

    public int addUnion(String name, int size, List<Member> members) {
        return add(new Union(0, name, size, members, hasBitfield(members)));
    }

    private static boolean hasBitfield(List<Member> members) {
        return members.stream().anyMatch(m -> m.bitfieldSize() != 0);
    }

    public int addEnum(String name, int size, boolean signed, List<EnumValue> values) {
        return add(new Enum(0, name, size, signed, values));
    }

    public int addEnum64(String name, int size, boolean signed, List<EnumValue> values) {
        return add(new Enum64(0, name, size, signed, values));
    }

    public int addFwd(String name, boolean union) {
        return add(new Fwd(0, name, union));
    }

    public int addTypedef(String name, int type) {
        return add(new Typedef(0, name, type));
    }

    public int addVolatile(int type) {
        return add(new Volatile(0, "", type));
    }

    public int addConst(int type) {
        return add(new Const(0, "", type));
    }

    public int addRestrict(int type) {
        return add(new Restrict(0, "", type));
    }

    public int addFunc(String name, int funcProto, Linkage linkage) {
        return add(new Func(0, name, funcProto, linkage));
    }

    public int addFuncProto(int returnType, List<Param> params) {
        return add(new FuncProto(0, "", returnType, params));
    }

    public int addVar(String name, int type, Linkage linkage) {
        return add(new Var(0, name, type, linkage));
    }

    public int addDatasec(String name, int size, List<VarSecinfo> vars) {
        return add(new Datasec(0, name, size, vars));
    }

    public int addFloat(String name, int size) {
        return add(new Float(0, name, size));
    }

    public int addDeclTag(String name, int type, int componentIdx) {
        return add(new DeclTag(0, name, type, componentIdx, false));
    }

    public int addTypeTag(String name, int type) {
        return add(new TypeTag(0, name, type, false));
    }

    /** The raw bytes (split BTF: only this builder's types and the strings not in the base). */
    public byte[] toBytes() {
        int strBase = base == null ? 0 : base.stringBase() + base.stringSection().length;
        return BtfEncoder.encode(types, BtfEncoder.StringTable.create(strBase, BtfEncoder.baseStrings(base)), 0);
    }

    /** Encodes and parses back, so the result is exactly what a reader of {@link #toBytes()} sees. */
    public Btf build() {
        return Btf.parse(toBytes(), base);
    }

    private static BtfType withId(BtfType t, int id) {
        return switch (t) {
            case BtfType.Void _ -> throw new BpfFormatException("BTF builder: void is implicit (id 0)");
            case Int x -> new Int(id, x.name(), x.size(), x.encoding(), x.bitOffset(), x.bits());
            case Ptr x -> new Ptr(id, x.name(), x.type());
            case Array x -> new Array(id, x.name(), x.elemType(), x.indexType(), x.nelems());
            case Struct x -> new Struct(id, x.name(), x.size(), x.members(), x.kindFlag());
            case Union x -> new Union(id, x.name(), x.size(), x.members(), x.kindFlag());
            case Enum x -> new Enum(id, x.name(), x.size(), x.signed(), x.values());
            case Fwd x -> new Fwd(id, x.name(), x.union());
            case Typedef x -> new Typedef(id, x.name(), x.type());
            case Volatile x -> new Volatile(id, x.name(), x.type());
            case Const x -> new Const(id, x.name(), x.type());
            case Restrict x -> new Restrict(id, x.name(), x.type());
            case Func x -> new Func(id, x.name(), x.type(), x.linkage());
            case FuncProto x -> new FuncProto(id, x.name(), x.returnType(), x.params());
            case Var x -> new Var(id, x.name(), x.type(), x.linkage());
            case Datasec x -> new Datasec(id, x.name(), x.size(), x.vars());
            case Float x -> new Float(id, x.name(), x.size());
            case DeclTag x -> new DeclTag(id, x.name(), x.type(), x.componentIdx(), x.attribute());
            case TypeTag x -> new TypeTag(id, x.name(), x.type(), x.attribute());
            case Enum64 x -> new Enum64(id, x.name(), x.size(), x.signed(), x.values());
        };
    }
}
