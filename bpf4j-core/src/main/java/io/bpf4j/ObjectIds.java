package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Kernel-wide object ids: enumeration with {@code *_GET_NEXT_ID}, opening by id, and
 * {@code BPF_OBJ_GET_INFO_BY_FD}. Needs CAP_SYS_ADMIN for ids of objects we did not create.
 */
public final class ObjectIds {
    private ObjectIds() {}

    /** The kinds of kernel objects that have ids. */
    public enum Kind {
        PROG(BpfCommand.PROG_GET_NEXT_ID, BpfCommand.PROG_GET_FD_BY_ID, "program"),
        MAP(BpfCommand.MAP_GET_NEXT_ID, BpfCommand.MAP_GET_FD_BY_ID, "map"),
        BTF(BpfCommand.BTF_GET_NEXT_ID, BpfCommand.BTF_GET_FD_BY_ID, "BTF"),
        LINK(BpfCommand.LINK_GET_NEXT_ID, BpfCommand.LINK_GET_FD_BY_ID, "link");

        final BpfCommand next, byId;
        final String noun;

        Kind(BpfCommand next, BpfCommand byId, String noun) {
            this.next = next;
            this.byId = byId;
            this.noun = noun;
        }
    }

    /** All ids of one kind, ascending. An empty list on a kernel without that kind (links before 5.8). */
    public static List<Integer> all(Kind kind) {
        List<Integer> ids = new ArrayList<>();
        for (int id = next(kind, 0); id != 0; id = next(kind, id)) ids.add(id);
        return ids;
    }

    /**
     * The smallest id of this kind greater than {@code after} ({@code *_GET_NEXT_ID}), or 0 when
     * there is none (ids start at 1), also on a kernel without that kind (links before Linux 5.8). For a
     * caller that works on each object as it is listed.
     */
    public static int next(Kind kind, int after) {
        // The kernel only writes next_id: no other field needs clearing between rounds.
        MemorySegment attr = Bpf.attr(Layouts.GetId.LAYOUT.byteSize());
        attr.set(JAVA_INT, Layouts.GetId.ID, after);
        long r = Calls.call(kind.next, attr);
        if (r < 0) {
            int errno = (int) -r;
            if (errno == Errno.ENOENT) return 0;
            if (errno == Errno.EINVAL && kind == Kind.LINK) return 0; // kernel without links
            throw BpfException.of("list " + kind.noun + " ids", kind.next, errno);
        }
        return attr.get(JAVA_INT, Layouts.GetId.NEXT_ID);
    }

    /** Opens an object by id. ENOENT becomes "no such program id 42". */
    public static Fd open(Kind kind, int id) {
        MemorySegment attr = Bpf.attr(Layouts.GetId.LAYOUT.byteSize());
        attr.set(JAVA_INT, Layouts.GetId.ID, id);
        long r = Calls.call(kind.byId, attr);
        if (r < 0) {
            int errno = (int) -r;
            // Ids are u32: print them unsigned.
            String n = Integer.toUnsignedString(id);
            if (errno == Errno.ENOENT) throw new BpfException("no " + kind.noun + " with id " + n, errno, null);
            throw BpfException.of("open " + kind.noun + " id " + n, kind.byId, errno);
        }
        // The operation's name is only needed if moving an fd 0 fails; not built per object.
        return Fd.adopt((int) r, r == 0 ? "open " + kind.noun + " id " + id : "open");
    }

    /**
     * BPF_OBJ_GET_INFO_BY_FD into a new zeroed segment of {@code size} bytes allocated in
     * {@code arena}; {@code prepare} may point array fields at buffers before the call.
     */
    static MemorySegment info(Fd fd, long size, Arena arena, java.util.function.Consumer<MemorySegment> prepare) {
        MemorySegment info = arena.allocate(size, 8);
        if (prepare != null) prepare.accept(info);
        MemorySegment attr = Bpf.attr(Layouts.Info.LAYOUT.byteSize());
        attr.set(JAVA_INT, Layouts.Info.BPF_FD, fd.raw());
        attr.set(JAVA_INT, Layouts.Info.INFO_LEN, (int) size);
        attr.set(JAVA_LONG, Layouts.Info.INFO, info.address());
        Calls.check(BpfCommand.OBJ_GET_INFO_BY_FD, attr, "get info");
        return info;
    }
}
