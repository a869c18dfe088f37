package io.bpf4j.btf;

import java.util.List;

/**
 * One BTF type, one record per kind. Records refer to other types by id (an {@code int}, 0 is
 * void), not by object, so a type graph with cycles through pointers needs no special care and
 * decoding stays lazy; follow a reference with {@link Btf#typeById(int)}.
 *
 * <p>Fields holding kernel {@code __u32} values (sizes, offsets, element counts) are Java
 * {@code int}s read as unsigned: use {@link Integer#toUnsignedLong(int)} where that matters.
 */
public sealed interface BtfType {
    /** The type id within its {@link Btf}; 0 for void. */
    int id();

    /** The name, {@code ""} for anonymous types. */
    String name();

    BtfKind kind();

    /** Kinds that point at exactly one other type. */
    sealed interface Reference extends BtfType permits Ptr, Typedef, Qualifier, TypeTag, Func, Var, DeclTag {
        int type();
    }

    /** CONST, VOLATILE and RESTRICT: C type qualifiers, skipped by {@link Btf#resolve}. */
    sealed interface Qualifier extends Reference permits Volatile, Const, Restrict {}

    /** STRUCT and UNION. */
    sealed interface Composite extends BtfType permits Struct, Union {
        int size();

        List<Member> members();

        /**
         * The kind_flag: when set each member's offset carries a bitfield size in its top 8 bits
         * (the encoding pahole uses since Linux 5.0); when clear, bitfields are described by an
         * INT member type whose {@code bits} is smaller than its size.
         */
        boolean kindFlag();
    }

    /** ENUM and ENUM64. */
    sealed interface Enumeration extends BtfType permits Enum, Enum64 {
        int size();

        boolean signed();

        List<EnumValue> values();
    }

    /** Type id 0. */
    record Void() implements BtfType {
        public static final Void INSTANCE = new Void();

        @Override
        public int id() {
            return 0;
        }

        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /** An integer: {@code encoding} is a mask of {@link #SIGNED}, {@link #CHAR}, {@link #BOOL}. */
    record Int(int id, String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1;
        public static final int CHAR = 2;
        public static final int BOOL = 4;

        @Override
        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean signed() {
            return (encoding & SIGNED) != 0;
        }
    }

    record Ptr(int id, String name, int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    /** {@code nelems} is unsigned; 0 for a flexible array member. */
    record Array(int id, String name, int elemType, int indexType, int nelems) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /**
     * A struct or union member. {@code bitOffset} is from the start of the enclosing type;
     * {@code bitfieldSize} is non-zero only for bitfields of a kind_flag composite (see
     * {@link Btf#member} for the size under both encodings).
     */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {}

    record Struct(int id, String name, int size, List<Member> members, boolean kindFlag) implements Composite {
        public Struct {
            members = List.copyOf(members);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.STRUCT;
        }
    }

    record Union(int id, String name, int size, List<Member> members, boolean kindFlag) implements Composite {
        public Union {
            members = List.copyOf(members);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.UNION;
        }
    }

    /** An enumerator; for an unsigned ENUM the value is the zero-extended 32-bit value. */
    record EnumValue(String name, long value) {}

    record Enum(int id, String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum {
            values = List.copyOf(values);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ENUM;
        }
    }

    /** A forward declaration of a struct, or of a union when {@code union}. */
    record Fwd(int id, String name, boolean union) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    record Typedef(int id, String name, int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    record Volatile(int id, String name, int type) implements Qualifier {
        @Override
        public BtfKind kind() {
            return BtfKind.VOLATILE;
        }
    }

    record Const(int id, String name, int type) implements Qualifier {
        @Override
        public BtfKind kind() {
            return BtfKind.CONST;
        }
    }

    record Restrict(int id, String name, int type) implements Qualifier {
        @Override
        public BtfKind kind() {
            return BtfKind.RESTRICT;
        }
    }

    /** Linkage of a FUNC or VAR; the kernel numbers both the same way. */
    enum Linkage {
        STATIC(0, "static"),
        /** For a VAR: {@code BTF_VAR_GLOBAL_ALLOCATED}. */
        GLOBAL(1, "global"),
        EXTERN(2, "extern");

        private final int number;
        private final String text;

        Linkage(int number, String text) {
            this.number = number;
            this.text = text;
        }

        public int number() {
            return number;
        }

        /** The word bpftool prints. */
        public String text() {
            return text;
        }

        static Linkage ofNumber(int n) {
            return n >= 0 && n < 3 ? values()[n] : null;
        }
    }

    /** A function; {@code type} is its FUNC_PROTO. */
    record Func(int id, String name, int type, Linkage linkage) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    /** A parameter; a trailing one with type 0 and no name marks a variadic function. */
    record Param(String name, int type) {}

    record FuncProto(int id, String name, int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }

        public boolean variadic() {
            return !params.isEmpty() && params.getLast().type() == 0 && params.getLast().name().isEmpty();
        }
    }

    record Var(int id, String name, int type, Linkage linkage) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /** A variable's place in a DATASEC. */
    record VarSecinfo(int type, int offset, int size) {}

    record Datasec(int id, String name, int size, List<VarSecinfo> vars) implements BtfType {
        public Datasec {
            vars = List.copyOf(vars);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    record Float(int id, String name, int size) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /**
     * A tag on a declaration: {@code componentIdx} -1 tags {@code type} itself, otherwise its
     * member or parameter at that index. {@code attribute} (kind_flag, Linux 6.14+) means the
     * name is a C attribute rather than a {@code btf_decl_tag} string.
     */
    record DeclTag(int id, String name, int type, int componentIdx, boolean attribute) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }

    /** A tag on a type (e.g. {@code __user}); {@code attribute} as for {@link DeclTag}. */
    record TypeTag(int id, String name, int type, boolean attribute) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }

    record Enum64(int id, String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum64 {
            values = List.copyOf(values);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ENUM64;
        }
    }
}
