package io.bpf4j.tools.top;

import io.bpf4j.BpfException;
import io.bpf4j.ObjectIds;
import io.bpf4j.internal.BpfCalls;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads the counters of every loaded program: its id, one {@code BPF_PROG_GET_FD_BY_ID} and one
 * {@code BPF_OBJ_GET_INFO_BY_FD} without arrays, and the fd closed at once, so that top never
 * keeps a program alive nor shows up among its holders. Needs CAP_SYS_ADMIN.
 */
public final class ProgReader {
    private static final int INFO_SIZE = (int) Layouts.ProgInfo.LAYOUT.byteSize();
    /** recursion_misses is inside what the kernel copied back only from 5.12 on (9ed9e9ba2337). */
    private static final long MISSES_END = Layouts.ProgInfo.RECURSION_MISSES + 8;

    private final MemorySegment info = Arena.ofAuto().allocate(INFO_SIZE, 8);

    /** Every program loaded now, ascending by id; programs unloaded during the walk are left out. */
    public List<ProgReading> readAll() {
        List<Integer> ids = ObjectIds.all(ObjectIds.Kind.PROG);
        List<ProgReading> out = new ArrayList<>(ids.size());
        for (int id : ids) {
            Fd fd;
            try {
                fd = ObjectIds.open(ObjectIds.Kind.PROG, id);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) continue; // unloaded since it was listed
                throw e;
            }
            try (fd) {
                out.add(read(fd));
            }
        }
        return out;
    }

    /** The counters of one program fd. */
    public ProgReading read(Fd fd) {
        info.fill((byte) 0);
        MemorySegment attr = Bpf.attr(Layouts.Info.LAYOUT.byteSize());
        attr.set(JAVA_INT, Layouts.Info.BPF_FD, fd.raw());
        attr.set(JAVA_INT, Layouts.Info.INFO_LEN, INFO_SIZE);
        attr.set(JAVA_LONG, Layouts.Info.INFO, info.address());
        BpfCalls.check(BpfCommand.OBJ_GET_INFO_BY_FD, attr, "get program info");
        long at = System.nanoTime();
        // The kernel writes back how much of the struct it knows.
        int len = attr.get(JAVA_INT, Layouts.Info.INFO_LEN);
        return new ProgReading(
                info.get(JAVA_INT, Layouts.ProgInfo.ID), info.get(JAVA_INT, Layouts.ProgInfo.TYPE), name(),
                info.get(JAVA_LONG, Layouts.ProgInfo.RUN_TIME_NS), info.get(JAVA_LONG, Layouts.ProgInfo.RUN_CNT),
                len >= MISSES_END ? info.get(JAVA_LONG, Layouts.ProgInfo.RECURSION_MISSES) : -1, at);
    }

    private String name() {
        int n = 0;
        while (n < 16 && info.get(JAVA_BYTE, Layouts.ProgInfo.NAME + n) != 0) n++;
        byte[] b = new byte[n];
        MemorySegment.copy(info, JAVA_BYTE, Layouts.ProgInfo.NAME, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }
}
