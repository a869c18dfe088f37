package io.bpf4j.btf;

/**
 * Receives a value as {@link BtfValueFormatter} decodes it: a stream of JSON-like events in the
 * order bpftool's BTF dumper emits them. {@link ValueWriter} renders them as bpftool's text or
 * JSON; {@link BtfValueFormatter#tree} collects them into maps and lists.
 *
 * <p>Methods that carry a kind of value bpftool renders specially ({@link #bits},
 * {@link #pointer}, {@link #character}) leave the rendering to the sink: bpftool prints them
 * differently in its plain text and in its JSON.
 */
public interface ValueSink {
    /** A struct, union, VAR or DATASEC begins; {@link #name} then a value for each member. */
    void beginObject();

    void endObject();

    /** An array, or the variables of a DATASEC. */
    void beginArray();

    void endArray();

    /** The next member's name ({@code ""} for an anonymous member). */
    void name(String name);

    /** A string: a NUL-terminated char array of printable ASCII, or an enumerator's name. */
    void string(CharSequence s);

    /** An integer printed as signed (signed ints, enums whose value has no name). */
    void signed(long v);

    /** An integer printed as unsigned ({@code v} holds the bits of a u64). */
    void unsigned(long v);

    void bool(boolean v);

    /**
     * A bitfield or a 128-bit integer: bpftool prints these in hex, {@code 0x1f} in its text and
     * {@code "0x1f"} in JSON. {@code hi:lo} is the value zero-extended to 128 bits.
     */
    void bits(long hi, long lo);

    /** A pointer: {@code "0x..."} (or {@code "(nil)"}) in bpftool's text, a decimal number in JSON. */
    void pointer(long address);

    /**
     * A C char whose BTF encoding is CHAR and that is not printable ASCII: {@code 0x7} in bpftool's
     * text, in JSON a one-character string that escapes it as a u-escape of four hex digits.
     * Printable chars arrive as {@link #string}.
     */
    void character(int c);

    /** A floating-point number (bpftool cannot print these). */
    void floating(double v);

    /**
     * Something the type cannot express: {@code (unknown)} for void, {@code (fwd-kind-invalid)}
     * for a forward declaration, {@code (unsupported-kind)} for kinds that have no value.
     */
    void invalid(String what);
}
