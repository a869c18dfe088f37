package io.bpf4j.explain;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * One bpf(2) call as the caller made it: the command, the attr bytes it passed (a copy, taken
 * before the kernel could write into them) and the size. Fields are read by their uapi names
 * ({@link AttrLayouts}); a field beyond {@code size} reads as zero, as the kernel sees it.
 *
 * @param cmd          the command number, without {@link #COMMON_ATTRS}
 * @param commonAttrs  whether {@link #COMMON_ATTRS} was set (Linux 7.2's 5-argument form)
 * @param attrAddress  where the attr lives in the caller (0 if unknown)
 * @param attr         the bytes read from it: up to {@code min(size, 4096)}; fewer if unreadable
 * @param size         the third argument
 */
public record BpfCall(int cmd, boolean commonAttrs, long attrAddress, byte[] attr, int size) {
    /** Linux 7.2 ({@code f28771c0691b}): bit 16 of cmd says arguments 4 and 5 carry common attributes (a log). */
    public static final int COMMON_ATTRS = 1 << 16;

    public BpfCall {
        attr = attr.clone();
    }

    /** From the raw first argument: {@link #COMMON_ATTRS} is split off. */
    public static BpfCall of(long rawCmd, long attrAddress, byte[] attr, long size) {
        int c = (int) rawCmd;
        return new BpfCall(c & ~COMMON_ATTRS, (c & COMMON_ATTRS) != 0, attrAddress, attr, (int) size);
    }

    /** For tests and for the library's own calls: the attr as built, at no particular address. */
    public static BpfCall of(BpfCommand cmd, byte[] attr) {
        return new BpfCall(cmd.value(), false, 0, attr, attr.length);
    }

    /** The command, or null for a number this bpf4j does not know. */
    public BpfCommand command() {
        BpfCommand[] all = BpfCommand.values();
        return cmd >= 0 && cmd < all.length ? all[cmd] : null;
    }

    /** {@code BPF_MAP_UPDATE_ELEM}, or the number for an unknown command. */
    public String commandName() {
        BpfCommand c = command();
        return c != null ? c.kernelName() : Integer.toString(cmd);
    }

    /** The bytes the kernel reads: the first {@code min(size, attr.length)} bytes. */
    public byte[] attrBytes() {
        return attr.clone();
    }

    public boolean is(BpfCommand c) {
        return cmd == c.value();
    }

    /** The field's layout, or null if this command has no such field. */
    public AttrField field(String name) {
        return AttrLayouts.field(command(), name);
    }

    /** Whether the caller's attr reaches the end of this field (otherwise the kernel reads it as zero). */
    public boolean covers(String name) {
        AttrField f = field(name);
        return f != null && f.end() <= Math.min(size, attr.length);
    }

    /** The field's value, zero-extended; 0 when the attr does not reach it. */
    public long get(String name) {
        AttrField f = field(name);
        if (f == null) throw new IllegalArgumentException(commandName() + " has no field " + name);
        return read(f);
    }

    /** As {@link #get}, as an unsigned 32-bit value in an int (fds, sizes, types). */
    public int u32(String name) {
        return (int) get(name);
    }

    long read(AttrField f) {
        int limit = Math.min(size, attr.length);
        if (f.kind() == AttrField.Kind.NAME || f.end() > limit) return 0;
        long v = 0;
        for (int i = f.size() - 1; i >= 0; i--) v = v << 8 | (attr[f.offset() + i] & 0xff);
        return v;
    }

    /** An inline name field as the kernel would copy it: up to the first NUL, at most 16 bytes. */
    public String name(String name) {
        AttrField f = field(name);
        if (f == null || f.kind() != AttrField.Kind.NAME) throw new IllegalArgumentException(commandName() + " has no name " + name);
        return new String(nameBytes(f), StandardCharsets.ISO_8859_1);
    }

    /** The name's bytes up to its NUL (all 16 if there is none: the kernel then refuses it). */
    public byte[] nameBytes(String name) {
        return nameBytes(field(name));
    }

    private byte[] nameBytes(AttrField f) {
        int limit = Math.min(size, attr.length);
        if (f.offset() >= limit) return new byte[0];
        int end = f.offset();
        while (end < Math.min(f.end(), limit) && attr[end] != 0) end++;
        return Arrays.copyOfRange(attr, f.offset(), end);
    }

    /**
     * The first non-zero byte at or after {@code from} within what the caller passed, or -1:
     * what {@code CHECK_ATTR} and {@code bpf_check_uarg_tail_zero()} look for.
     */
    public int firstNonZeroFrom(int from) {
        int limit = Math.min(size, attr.length);
        for (int i = Math.max(0, from); i < limit; i++) if (attr[i] != 0) return i;
        return -1;
    }

    /** The field that contains byte {@code offset}, or null. */
    public AttrField fieldAt(int offset) {
        for (AttrField f : AttrLayouts.of(command())) if (offset >= f.offset() && offset < f.end()) return f;
        return null;
    }

    /** strace's form: {@code bpf(BPF_MAP_UPDATE_ELEM, {map_fd=5, key=0x7ffd..., flags=BPF_ANY}, 144)}. */
    @Override
    public String toString() {
        return render(f -> null);
    }

    /**
     * As {@link #toString()}, with {@code annotate} giving text to show after a field's value
     * (e.g. the object an fd names: {@code map_fd=5<map 12 progs>}), or null for none.
     */
    public String render(Function<AttrField, String> annotate) {
        StringBuilder sb = new StringBuilder("bpf(").append(commandName());
        if (commonAttrs) sb.append("|BPF_COMMON_ATTRS");
        sb.append(", ");
        List<AttrField> fields = AttrLayouts.of(command());
        if (fields.isEmpty()) {
            sb.append(attrAddress == 0 ? "{}" : "0x" + Long.toHexString(attrAddress));
        } else {
            List<String> parts = new ArrayList<>();
            int limit = Math.min(size, attr.length);
            for (AttrField f : fields) {
                if (f.offset() >= limit) break;
                long v = read(f);
                if (!f.shownIfZero() && v == 0 && f.kind() != AttrField.Kind.NAME) continue;
                String text = value(f, v);
                if (f.kind() == AttrField.Kind.NAME && text.equals("\"\"") && !f.shownIfZero()) continue;
                String a = annotate.apply(f);
                parts.add(f.name() + "=" + text + (a == null ? "" : a));
            }
            sb.append('{').append(String.join(", ", parts)).append('}');
        }
        return sb.append(", ").append(size).append(')').toString();
    }

    String value(AttrField f, long v) {
        return switch (f.kind()) {
            case U32, FD, OPT_FD, TARGET -> Long.toString(v);
            case S32 -> Integer.toString((int) v);
            case U64 -> Long.toUnsignedString(v);
            case HEX -> "0x" + Long.toHexString(v);
            case PTR -> v == 0 ? "NULL" : "0x" + Long.toHexString(v);
            case NAME -> quote(nameBytes(f));
            case MAP_TYPE -> MapType.nameOf((int) v);
            case PROG_TYPE -> ProgType.nameOf((int) v);
            case ATTACH_TYPE -> AttachType.nameOf((int) v);
            case MAP_FLAGS -> Flags.map(v);
            case PROG_FLAGS -> Flags.prog(v);
            case ELEM_FLAGS -> Flags.elem(v);
            case ATTACH_FLAGS -> Flags.attach(v);
            case FILE_FLAGS -> Flags.file(v);
        };
    }

    /** A C string literal of the bytes, non-printable ones as {@code \xNN}. */
    public static String quote(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '"' || c == '\\') sb.append('\\').append((char) c);
            else if (c >= 0x20 && c < 0x7f) sb.append((char) c);
            else sb.append("\\x").append(HexFormat.of().toHexDigits((byte) c));
        }
        return sb.append('"').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfCall c && c.cmd == cmd && c.commonAttrs == commonAttrs && c.attrAddress == attrAddress
                && c.size == size && Arrays.equals(c.attr, attr);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(attr) * 31 + cmd;
    }
}
