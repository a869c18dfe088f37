package io.bpf4j.btf;

/**
 * The BTF type kinds of {@code include/uapi/linux/btf.h}, carrying the kernel's number and the
 * name bpftool prints for them. {@link #VOID} stands for kind 0, which only type id 0 has.
 */
public enum BtfKind {
    VOID(0, "UNKNOWN"),
    INT(1, "INT"),
    PTR(2, "PTR"),
    ARRAY(3, "ARRAY"),
    STRUCT(4, "STRUCT"),
    UNION(5, "UNION"),
    ENUM(6, "ENUM"),
    FWD(7, "FWD"),
    TYPEDEF(8, "TYPEDEF"),
    VOLATILE(9, "VOLATILE"),
    CONST(10, "CONST"),
    RESTRICT(11, "RESTRICT"),
    /** Linux 4.20+. */
    FUNC(12, "FUNC"),
    /** Linux 4.20+. */
    FUNC_PROTO(13, "FUNC_PROTO"),
    /** Linux 5.2+. */
    VAR(14, "VAR"),
    /** Linux 5.2+. */
    DATASEC(15, "DATASEC"),
    /** Linux 5.13+. */
    FLOAT(16, "FLOAT"),
    /** Linux 5.16+. */
    DECL_TAG(17, "DECL_TAG"),
    /** Linux 5.17+. */
    TYPE_TAG(18, "TYPE_TAG"),
    /** Linux 6.0+. */
    ENUM64(19, "ENUM64");

    private static final BtfKind[] BY_NUMBER = values();

    private final int number;
    private final String kernelName;

    BtfKind(int number, String kernelName) {
        this.number = number;
        this.kernelName = kernelName;
    }

    /** The kernel's {@code BTF_KIND_*} value. */
    public int number() {
        return number;
    }

    /** The name bpftool prints, e.g. {@code "FUNC_PROTO"}. */
    public String kernelName() {
        return kernelName;
    }

    /** The kind with this kernel number, or {@code null} when the number is not a known kind. */
    public static BtfKind ofNumber(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
