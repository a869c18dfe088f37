package io.bpf4j.explain;

/**
 * One field of {@code union bpf_attr} as a command reads it: its name as the uapi header spells
 * it, its place in the attr, and what the decoder does with it.
 *
 * @param name   the uapi name ({@code map_fd}, {@code key}, {@code link_create.attach_type} is
 *               written {@code attach_type})
 * @param offset byte offset in the attr
 * @param size   1, 4, 8 or 16 (inline names)
 * @param kind   how the value is shown and resolved
 * @param shownIfZero false for members of a per-type union and for optional fields: the decoder
 *               prints them only when they are set
 */
public record AttrField(String name, int offset, int size, Kind kind, boolean shownIfZero) {
    public AttrField(String name, int offset, int size, Kind kind) {
        this(name, offset, size, kind, true);
    }

    /** The same field, printed only when non-zero. */
    public AttrField optional() {
        return new AttrField(name, offset, size, kind, false);
    }

    /** How a field's value is read, printed and followed. */
    public enum Kind {
        U32, S32, U64, HEX,
        /** A file descriptor of the calling process; 0 is a real fd. */
        FD,
        /** An fd that is only meaningful when non-zero (strace prints these as fd 0, wrongly). */
        OPT_FD,
        /** A user-space address; its contents are read separately where a rule needs them. */
        PTR,
        /** An inline, NUL-padded name of up to 16 bytes. */
        NAME,
        MAP_TYPE, PROG_TYPE, ATTACH_TYPE, MAP_FLAGS, PROG_FLAGS, ELEM_FLAGS, ATTACH_FLAGS, FILE_FLAGS,
        /** A network interface index, or an fd, depending on the attach type. */
        TARGET
    }

    public int end() {
        return offset + size;
    }
}
