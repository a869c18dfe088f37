package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;

import java.util.Optional;

/**
 * How a traced function's return value reads, from the function's BTF return type, and so
 * whether a value is a failure. void, bool, unsigned and sub-int integers never fail; pointers
 * fail on NULL or an error pointer (the top 4095 values, {@code IS_ERR_VALUE}); signed integers
 * fail on -4095..-1 (a 32-bit int is sign-extended from its low half, since the upper half of
 * the register is undefined). A function without BTF is read as a {@code long}.
 */
public enum ReturnKind {
    VOID(true), BOOL(true), UNSIGNED(true), SMALL_INT(true), POINTER(false), INT32(false), LONG(false), UNKNOWN(false);

    /** Never a failure, whatever the value. */
    public final boolean cantFail;

    ReturnKind(boolean cantFail) {
        this.cantFail = cantFail;
    }

    /** Flags for the BPF side (trace.bpf.c FN_*). */
    public int bpfFlags() {
        return switch (this) {
            case VOID, BOOL, UNSIGNED, SMALL_INT -> 2;
            case POINTER -> 4;
            case INT32 -> 8;
            case LONG, UNKNOWN -> 0;
        };
    }

    /** The return type of {@code function} (or of the function a clone was made from) in {@code btf}. */
    public static ReturnKind of(Btf btf, String function) {
        return proto(btf, function).map(p -> of(btf, p.returnType())).orElse(UNKNOWN);
    }

    /** The function's prototype; a clone ({@code name.isra.0}) uses its original's. */
    public static Optional<BtfType.FuncProto> proto(Btf btf, String function) {
        if (btf == null) return Optional.empty();
        String base = function.indexOf('.') > 0 ? function.substring(0, function.indexOf('.')) : function;
        return btf.findByName(base, BtfKind.FUNC)
                .map(f -> btf.typeById(((BtfType.Func) f).type()))
                .filter(t -> t instanceof BtfType.FuncProto)
                .map(t -> (BtfType.FuncProto) t);
    }

    /** Classifies a type id. */
    public static ReturnKind of(Btf btf, int typeId) {
        if (typeId == 0) return VOID;
        BtfType t = btf.resolve(typeId);
        return switch (t) {
            case BtfType.Void v -> VOID;
            case BtfType.Ptr p -> POINTER;
            case BtfType.Int i -> (i.encoding() & BtfType.Int.BOOL) != 0 ? BOOL
                    : !i.signed() ? UNSIGNED : i.size() < 4 ? SMALL_INT : i.size() == 4 ? INT32 : LONG;
            case BtfType.Enum e -> e.signed() || e.values().stream().anyMatch(v -> v.value() < 0)
                    ? (e.size() == 4 ? INT32 : LONG) : UNSIGNED;
            case BtfType.Enum64 e -> e.signed() ? LONG : UNSIGNED;
            // Structs returned in registers (struct fd) and anything else: a value, not an error code.
            default -> UNSIGNED;
        };
    }

    /** True if {@code raw} (the return register) is a failure for this kind. */
    public boolean failed(long raw) {
        return switch (this) {
            case VOID, BOOL, UNSIGNED, SMALL_INT -> false;
            case POINTER -> raw == 0 || Long.compareUnsigned(raw, -4095L) >= 0;
            case INT32 -> (int) raw < 0 && (int) raw >= -4095;
            case LONG, UNKNOWN -> Long.compareUnsigned(raw, -4095L) >= 0;
        };
    }

    /** retsnoop's rendering: {@code [void]}, {@code [true]}, {@code [NULL]}, {@code [-EINVAL]}, {@code [0xffff...]}, {@code [5]}. */
    public String format(long raw) {
        return switch (this) {
            case VOID -> "void";
            case BOOL -> (raw & 0xff) != 0 ? "true" : "false";
            case POINTER -> raw == 0 ? "NULL" : failed(raw) ? "-" + KernelErrors.name((int) -raw) : "0x" + Long.toHexString(raw);
            case INT32 -> {
                int v = (int) raw;
                yield failed(raw) ? "-" + KernelErrors.name(-v) : Integer.toString(v);
            }
            case SMALL_INT -> Long.toString(raw);
            case UNSIGNED -> Long.compareUnsigned(raw, 1L << 32) < 0 ? Long.toUnsignedString(raw) : "0x" + Long.toHexString(raw);
            case LONG, UNKNOWN -> failed(raw) ? "-" + KernelErrors.name((int) -raw)
                    : raw > -(1L << 31) && raw < (1L << 40) ? Long.toString(raw) : "0x" + Long.toHexString(raw);
        };
    }
}
