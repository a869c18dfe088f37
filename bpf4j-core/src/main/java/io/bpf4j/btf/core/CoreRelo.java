package io.bpf4j.btf.core;

/**
 * One CO-RE relocation record of {@code .BTF.ext} ({@code struct bpf_core_relo}): the
 * instruction to patch (index within its program), the local BTF type the access starts from,
 * the access string ({@code "0:1:2"}: array index, then member or element indices) and what to
 * compute.
 */
public record CoreRelo(int insn, int typeId, String access, Kind kind) {

    /** enum bpf_core_relo_kind, numbered as the kernel and LLVM number them. */
    public enum Kind {
        FIELD_BYTE_OFFSET("byte_off"), FIELD_BYTE_SIZE("byte_sz"), FIELD_EXISTS("field_exists"),
        FIELD_SIGNED("signed"), FIELD_LSHIFT_U64("lshift_u64"), FIELD_RSHIFT_U64("rshift_u64"),
        TYPE_ID_LOCAL("local_type_id"), TYPE_ID_TARGET("target_type_id"), TYPE_EXISTS("type_exists"),
        TYPE_SIZE("type_size"), ENUMVAL_EXISTS("enumval_exists"), ENUMVAL_VALUE("enumval_value"),
        TYPE_MATCHES("type_matches");

        private static final Kind[] VALUES = values();
        private final String libbpfName;

        Kind(String libbpfName) {
            this.libbpfName = libbpfName;
        }

        /** The name libbpf prints for it, e.g. {@code byte_off}. */
        public String libbpfName() {
            return libbpfName;
        }

        public boolean fieldBased() {
            return ordinal() <= FIELD_RSHIFT_U64.ordinal();
        }

        public boolean typeBased() {
            return ordinal() >= TYPE_ID_LOCAL.ordinal() && ordinal() <= TYPE_SIZE.ordinal() || this == TYPE_MATCHES;
        }

        public boolean enumBased() {
            return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE;
        }

        /** An existence question: failing to find the target answers 0 instead of poisoning. */
        public boolean existence() {
            return this == FIELD_EXISTS || this == TYPE_EXISTS || this == ENUMVAL_EXISTS || this == TYPE_MATCHES;
        }

        public static Kind of(int n) {
            if (n < 0 || n >= VALUES.length) throw new io.bpf4j.BpfFormatException("CO-RE relocation: unknown kind " + n);
            return VALUES[n];
        }
    }

    public CoreRelo withInsn(int i) {
        return new CoreRelo(i, typeId, access, kind);
    }
}
