package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A per-thread native buffer for {@code BPF_OBJ_GET_INFO_BY_FD} and its copy on the heap. The
 * struct goes in as one bulk copy of a prepared image and comes back as one bulk copy, and is
 * decoded from the {@code byte[]}: on a cold JVM each MemorySegment access runs interpreted
 * through several layers of the FFM API, and `bpf4j inspect` reads thousands of info structs
 * before the JIT has compiled anything (issue 2: within 3x bpftool's wall time).
 */
final class InfoBuffer {
    /** Array room offered to the kernel with a program's info (see BpfProgram.INFO_ARRAY_ROOM). */
    static final int ROOM = 16;
    static final int PROG_STRUCT = (int) Layouts.ProgInfo.LAYOUT.byteSize();
    static final int MAP_IDS = align8(PROG_STRUCT), KSYMS = MAP_IDS + 4 * ROOM, FUNC_LENS = KSYMS + 8 * ROOM,
            FUNC_INFO = FUNC_LENS + 4 * ROOM, TAGS = FUNC_INFO + 8 * ROOM, PROG_TOTAL = TAGS + 8 * ROOM;
    static final int SIZE = Math.max(PROG_TOTAL, 512);

    private static final ThreadLocal<InfoBuffer> PER_THREAD = ThreadLocal.withInitial(InfoBuffer::new);

    private final MemorySegment buf = Arena.ofAuto().allocate(SIZE, 8);
    /** What the heap copy holds after a call. */
    final byte[] bytes = new byte[SIZE];
    /** bpf_prog_info asking for every array into the room after the struct; addresses are this buffer's. */
    private final byte[] progImage = new byte[PROG_STRUCT];
    private final byte[] zeros = new byte[SIZE];

    private InfoBuffer() {
        MemorySegment img = MemorySegment.ofArray(progImage);
        long base = buf.address();
        putRoom(img, Layouts.ProgInfo.NR_MAP_IDS, ROOM, Layouts.ProgInfo.MAP_IDS, base + MAP_IDS);
        putRoom(img, Layouts.ProgInfo.NR_JITED_KSYMS, ROOM, Layouts.ProgInfo.JITED_KSYMS, base + KSYMS);
        putRoom(img, Layouts.ProgInfo.NR_JITED_FUNC_LENS, ROOM, Layouts.ProgInfo.JITED_FUNC_LENS, base + FUNC_LENS);
        putRoom(img, Layouts.ProgInfo.NR_FUNC_INFO, ROOM, Layouts.ProgInfo.FUNC_INFO, base + FUNC_INFO);
        // Must be sizeof(struct bpf_func_info) whenever it is set.
        img.set(JAVA_INT.withByteAlignment(1), Layouts.ProgInfo.FUNC_INFO_REC_SIZE, 8);
        putRoom(img, Layouts.ProgInfo.NR_PROG_TAGS, ROOM, Layouts.ProgInfo.PROG_TAGS, base + TAGS);
    }

    private static void putRoom(MemorySegment img, long countOff, int count, long ptrOff, long address) {
        img.set(JAVA_INT.withByteAlignment(1), countOff, count);
        img.set(JAVA_LONG.withByteAlignment(1), ptrOff, address);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    static InfoBuffer get() {
        return PER_THREAD.get();
    }

    /** Program info with array room; the result (struct, then the arrays at the offsets above) is in {@link #bytes}. */
    byte[] program(Fd fd) {
        MemorySegment.copy(progImage, 0, buf, JAVA_BYTE, 0, PROG_STRUCT);
        // The kernel leaves arrays it will not show (ksyms without bpf_dump_raw_ok) unwritten:
        // they must read as zeros, not as the previous program's.
        MemorySegment.copy(zeros, 0, buf, JAVA_BYTE, MAP_IDS, PROG_TOTAL - MAP_IDS);
        call(fd, PROG_STRUCT, PROG_TOTAL);
        return bytes;
    }

    /** Info of {@code size} bytes with no arrays asked for, in {@link #bytes}. */
    byte[] plain(Fd fd, int size) {
        MemorySegment.copy(zeros, 0, buf, JAVA_BYTE, 0, size);
        call(fd, size, size);
        return bytes;
    }

    private void call(Fd fd, int size, int readBack) {
        MemorySegment attr = Bpf.attr(Layouts.Info.LAYOUT.byteSize());
        attr.set(JAVA_INT, Layouts.Info.BPF_FD, fd.raw());
        attr.set(JAVA_INT, Layouts.Info.INFO_LEN, size);
        attr.set(JAVA_LONG, Layouts.Info.INFO, buf.address());
        Calls.check(BpfCommand.OBJ_GET_INFO_BY_FD, attr, "get info");
        MemorySegment.copy(buf, JAVA_BYTE, 0, bytes, 0, readBack);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code len} bytes as lower-case hex (a program tag). */
    static String hex(byte[] b, long off, int len) {
        char[] c = new char[2 * len];
        for (int i = 0; i < len; i++) {
            int v = b[(int) off + i] & 0xff;
            c[2 * i] = HEX[v >>> 4];
            c[2 * i + 1] = HEX[v & 15];
        }
        return new String(c);
    }
}
