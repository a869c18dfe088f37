package io.bpf4j.tools.mapdump;

import io.bpf4j.BpfException;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.ValueWriter;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;

/**
 * The program in a prog array slot, named as {@code bpftool prog show} names it: id, libbpf's
 * type name, and the name (the BTF function name when the kernel's 15-character copy is cut).
 * {@code type} and {@code name} are null when the program was unloaded since the lookup.
 */
record ProgSlot(int id, String type, String name) {
    static ProgSlot of(int id) {
        try (Fd fd = ObjectIds.open(ObjectIds.Kind.PROG, id)) {
            ProgInfo i = BpfProgram.infoOf(fd);
            ProgType t = i.type();
            String type = t == null ? "type " + Integer.toUnsignedString(i.typeValue()) : t.name().toLowerCase(java.util.Locale.ROOT);
            return new ProgSlot(id, type, fullName(i));
        } catch (BpfException e) {
            if (e.errno() != Errno.ENOENT) throw e;
            return new ProgSlot(id, null, null);
        }
    }

    /** bpftool's get_prog_full_name: the kernel keeps 15 characters; BTF func info has them all. */
    static String fullName(ProgInfo i) {
        String n = i.name();
        if (n.length() < 15 || i.btfId() == 0 || i.funcInfo().isEmpty()) return n;
        try (BtfHandle h = BtfHandle.fromId(i.btfId())) {
            BtfType f = MapDump.parse(h.bytes()).typeById(i.funcInfo().getFirst().typeId());
            return f instanceof BtfType.Func && f.name().startsWith(n) ? f.name() : n;
        } catch (BpfException e) {
            return n;
        }
    }

    /** {@code prog 10: socket_filter  name d_tail_0}. */
    String text() {
        if (type == null) return "prog " + Integer.toUnsignedString(id) + ": gone";
        return "prog " + Integer.toUnsignedString(id) + ": " + type + (name.isEmpty() ? "" : "  name " + name);
    }

    void json(ValueWriter w) {
        w.beginObject();
        w.name("id");
        w.unsigned(Integer.toUnsignedLong(id));
        if (type != null) {
            w.name("type");
            w.string(type);
            w.name("name");
            w.string(name);
        } else {
            w.name("error");
            w.string("gone");
        }
        w.endObject();
    }
}
