package io.bpf4j;

import io.bpf4j.asm.Insn;
import io.bpf4j.internal.bytes.LittleEndian;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** A loaded BPF program owned by this process. */
public final class BpfProgram implements AutoCloseable {
    /** Largest verifier log we ask for (the kernel's limit is UINT_MAX >> 2). */
    static final int MAX_LOG = 1 << 28;
    static final int FIRST_LOG = 1 << 16;

    private final Fd fd;
    private final int typeValue;
    private final String name;

    private BpfProgram(Fd fd, int typeValue, String name) {
        this.fd = fd;
        this.typeValue = typeValue;
        this.name = name;
    }

    /**
     * Loads a program. The first attempt runs without a verifier log (cheaper); if it fails,
     * the load is repeated with a log, grown until the log fits, so the exception can show the
     * verifier's reason. EAGAIN (a signal interrupted verification) is retried.
     *
     * @throws VerifierException when the verifier rejects the program
     * @throws BpfException      for other failures (EPERM by policy, E2BIG, a missing attach target...)
     */
    public static BpfProgram load(ProgramSpec spec) {
        String op = "load program" + (spec.name().isEmpty() ? "" : " " + spec.name()) + " (" + spec.type().kernelName() + ")";
        try (Arena arena = Arena.ofConfined()) {
            int slots = spec.instructionCount();
            MemorySegment insns = arena.allocate((long) slots * Insn.SLOT_SIZE, 8);
            Insn.encode(spec.instructions(), insns);
            MemorySegment license = arena.allocateFrom(spec.license());
            MemorySegment funcInfo = funcInfo(arena, spec.funcInfo());
            MemorySegment lineInfo = lineInfo(arena, spec.lineInfo());
            int logSize = 0;
            MemorySegment log = MemorySegment.NULL;
            int eagain = 0;
            while (true) {
                MemorySegment a = Bpf.attr(Layouts.ProgLoad.LAYOUT.byteSize());
                a.set(JAVA_INT, Layouts.ProgLoad.PROG_TYPE, spec.type().value());
                a.set(JAVA_INT, Layouts.ProgLoad.INSN_CNT, slots);
                a.set(JAVA_LONG, Layouts.ProgLoad.INSNS, insns.address());
                a.set(JAVA_LONG, Layouts.ProgLoad.LICENSE, license.address());
                a.set(JAVA_INT, Layouts.ProgLoad.KERN_VERSION, spec.kernelVersion());
                a.set(JAVA_INT, Layouts.ProgLoad.PROG_FLAGS, spec.flags());
                Names.write(a, Layouts.ProgLoad.PROG_NAME, spec.name());
                a.set(JAVA_INT, Layouts.ProgLoad.PROG_IFINDEX, spec.ifindex());
                if (spec.expectedAttachType() != null)
                    a.set(JAVA_INT, Layouts.ProgLoad.EXPECTED_ATTACH_TYPE, spec.expectedAttachType().value());
                if (spec.btf() != null) {
                    a.set(JAVA_INT, Layouts.ProgLoad.PROG_BTF_FD, spec.btf().fd().raw());
                    if (funcInfo != null) {
                        a.set(JAVA_INT, Layouts.ProgLoad.FUNC_INFO_REC_SIZE, FuncInfo.RECORD_SIZE);
                        a.set(JAVA_LONG, Layouts.ProgLoad.FUNC_INFO, funcInfo.address());
                        a.set(JAVA_INT, Layouts.ProgLoad.FUNC_INFO_CNT, spec.funcInfo().size());
                    }
                    if (lineInfo != null) {
                        a.set(JAVA_INT, Layouts.ProgLoad.LINE_INFO_REC_SIZE, LineInfo.RECORD_SIZE);
                        a.set(JAVA_LONG, Layouts.ProgLoad.LINE_INFO, lineInfo.address());
                        a.set(JAVA_INT, Layouts.ProgLoad.LINE_INFO_CNT, spec.lineInfo().size());
                    }
                }
                a.set(JAVA_INT, Layouts.ProgLoad.ATTACH_BTF_ID, spec.attachBtfId());
                if (spec.attachProg() != null) a.set(JAVA_INT, Layouts.ProgLoad.ATTACH_PROG_FD, spec.attachProg().fd().raw());
                else if (spec.attachBtfObj() != null) a.set(JAVA_INT, Layouts.ProgLoad.ATTACH_BTF_OBJ_FD, spec.attachBtfObj().fd().raw());
                if (logSize > 0) {
                    a.set(JAVA_INT, Layouts.ProgLoad.LOG_LEVEL, 1);
                    a.set(JAVA_INT, Layouts.ProgLoad.LOG_SIZE, logSize);
                    a.set(JAVA_LONG, Layouts.ProgLoad.LOG_BUF, log.address());
                }
                long r = Calls.call(BpfCommand.PROG_LOAD, a);
                if (r >= 0) return new BpfProgram(Fd.adopt((int) r, op), spec.type().value(), spec.name());
                int errno = (int) -r;
                if (errno == Errno.EAGAIN && ++eagain < 5) continue;
                if (Memlock.raiseAfter(errno)) continue;
                if (logSize == 0) {
                    if (errno == Errno.EPERM) throw BpfException.of(op, BpfCommand.PROG_LOAD, errno);
                    logSize = FIRST_LOG;
                    log = arena.allocate(logSize);
                    continue;
                }
                String text = log.getString(0);
                int trueSize = a.get(JAVA_INT, Layouts.ProgLoad.LOG_TRUE_SIZE);
                if (errno == Errno.ENOSPC && logSize < MAX_LOG) {
                    // 6.4+ reports the size it needed (47a71c1f9af0); older kernels: grow 4x.
                    logSize = trueSize > logSize ? Math.min(MAX_LOG, trueSize) : Math.min(MAX_LOG, logSize * 4);
                    log = arena.allocate(logSize);
                    continue;
                }
                if (text.isBlank()) throw BpfException.of(op, BpfCommand.PROG_LOAD, errno);
                throw new VerifierException(op, errno, text, errno == Errno.ENOSPC);
            }
        }
    }

    private static MemorySegment copy(Arena arena, byte[] b) {
        if (b == null || b.length == 0) return null;
        MemorySegment s = arena.allocate(b.length, 8);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    private static MemorySegment funcInfo(Arena arena, List<FuncInfo> fs) {
        if (fs.isEmpty()) return null;
        MemorySegment s = arena.allocate((long) FuncInfo.RECORD_SIZE * fs.size(), 8);
        long at = 0;
        for (FuncInfo f : fs) {
            s.set(JAVA_INT, at, f.insnOff());
            s.set(JAVA_INT, at + 4, f.typeId());
            at += FuncInfo.RECORD_SIZE;
        }
        return s;
    }

    private static MemorySegment lineInfo(Arena arena, List<LineInfo> ls) {
        if (ls.isEmpty()) return null;
        MemorySegment s = arena.allocate((long) LineInfo.RECORD_SIZE * ls.size(), 8);
        long at = 0;
        for (LineInfo l : ls) {
            s.set(JAVA_INT, at, l.insnOff());
            s.set(JAVA_INT, at + 4, l.fileNameOff());
            s.set(JAVA_INT, at + 8, l.lineOff());
            s.set(JAVA_INT, at + 12, l.lineCol());
            at += LineInfo.RECORD_SIZE;
        }
        return s;
    }

    /** Opens a loaded program by id (needs CAP_SYS_ADMIN). */
    public static BpfProgram fromId(int id) {
        return fromFd(ObjectIds.open(ObjectIds.Kind.PROG, id));
    }

    /** Takes ownership of a program fd. */
    public static BpfProgram fromFd(Fd fd) {
        try {
            ProgInfo i = info(fd, false);
            return new BpfProgram(fd, i.typeValue(), i.name());
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public static BpfProgram pinned(String path) {
        return fromFd(Pins.get(path));
    }

    public Fd fd() {
        return fd;
    }

    public ProgType type() {
        return ProgType.of(typeValue);
    }

    public String name() {
        return name;
    }

    public int id() {
        return info(fd, false).id();
    }

    /** Full info including map ids, ksyms, func info and per-function tags. */
    public ProgInfo info() {
        return info(fd, true);
    }

    /**
     * Full info of any program fd, without taking ownership of it: for tools that only look at
     * programs (one BPF_OBJ_GET_INFO_BY_FD call for most programs).
     */
    public static ProgInfo infoOf(Fd fd) {
        return info(fd, true);
    }

    /**
     * Array room offered on the first info call. The kernel fills what fits and reports the real
     * counts, so a program with more maps or functions than this costs one more call, and every
     * other program one call instead of two.
     */
    static final int INFO_ARRAY_ROOM = InfoBuffer.ROOM;

    static ProgInfo info(Fd fd, boolean arrays) {
        InfoBuffer ib = InfoBuffer.get();
        if (!arrays) {
            return ProgInfo.parse(ib.plain(fd, InfoBuffer.PROG_STRUCT), new int[0], new long[0], new int[0], List.of(), List.of());
        }
        byte[] b = ib.program(fd);
        int m = LittleEndian.i32(b, Layouts.ProgInfo.NR_MAP_IDS), k = LittleEndian.i32(b, Layouts.ProgInfo.NR_JITED_KSYMS),
                l = LittleEndian.i32(b, Layouts.ProgInfo.NR_JITED_FUNC_LENS), f = LittleEndian.i32(b, Layouts.ProgInfo.NR_FUNC_INFO),
                t = LittleEndian.i32(b, Layouts.ProgInfo.NR_PROG_TAGS);
        int room = INFO_ARRAY_ROOM;
        if (m > room || k > room || l > room || f > room || t > room) return infoWithRoom(fd, m, k, l, f, t);
        int[] maps = new int[m];
        for (int i = 0; i < m; i++) maps[i] = LittleEndian.i32(b, InfoBuffer.MAP_IDS + 4L * i);
        long[] ksyms = new long[k];
        for (int i = 0; i < k; i++) ksyms[i] = LittleEndian.u64(b, InfoBuffer.KSYMS + 8L * i);
        int[] lens = new int[l];
        for (int i = 0; i < l; i++) lens[i] = LittleEndian.i32(b, InfoBuffer.FUNC_LENS + 4L * i);
        List<FuncInfo> fi = new ArrayList<>(f);
        for (int i = 0; i < f; i++)
            fi.add(new FuncInfo(LittleEndian.i32(b, InfoBuffer.FUNC_INFO + 8L * i), LittleEndian.i32(b, InfoBuffer.FUNC_INFO + 8L * i + 4)));
        List<String> tags = new ArrayList<>(t);
        for (int i = 0; i < t; i++) tags.add(InfoBuffer.hex(b, InfoBuffer.TAGS + 8L * i, 8));
        return ProgInfo.parse(b, maps, ksyms, lens, fi, tags);
    }

    /** Info of a program whose arrays did not fit the per-thread room: buffers of the reported sizes. */
    private static ProgInfo infoWithRoom(Fd fd, int nMaps, int nKsyms, int nLens, int nFuncs, int nTags) {
        long size = Layouts.ProgInfo.LAYOUT.byteSize();
        try (Arena arena = Arena.ofConfined()) {
            for (int attempt = 0; ; attempt++) {
                final int cm = nMaps, ck = nKsyms, cl = nLens, cf = nFuncs, ct = nTags;
                MemorySegment maps = arena.allocate(4L * Math.max(1, cm), 8);
                MemorySegment ksyms = arena.allocate(8L * Math.max(1, ck), 8);
                MemorySegment lens = arena.allocate(4L * Math.max(1, cl), 8);
                // func_info_rec_size must be sizeof(struct bpf_func_info) whenever it is set.
                MemorySegment funcs = arena.allocate(8L * Math.max(1, cf), 8);
                MemorySegment tags = arena.allocate(8L * Math.max(1, ct), 8);
                MemorySegment s = ObjectIds.info(fd, size, arena, i -> {
                    i.set(JAVA_INT, Layouts.ProgInfo.NR_MAP_IDS, cm);
                    i.set(JAVA_LONG, Layouts.ProgInfo.MAP_IDS, maps.address());
                    i.set(JAVA_INT, Layouts.ProgInfo.NR_JITED_KSYMS, ck);
                    i.set(JAVA_LONG, Layouts.ProgInfo.JITED_KSYMS, ksyms.address());
                    i.set(JAVA_INT, Layouts.ProgInfo.NR_JITED_FUNC_LENS, cl);
                    i.set(JAVA_LONG, Layouts.ProgInfo.JITED_FUNC_LENS, lens.address());
                    i.set(JAVA_INT, Layouts.ProgInfo.NR_FUNC_INFO, cf);
                    i.set(JAVA_INT, Layouts.ProgInfo.FUNC_INFO_REC_SIZE, 8);
                    i.set(JAVA_LONG, Layouts.ProgInfo.FUNC_INFO, funcs.address());
                    i.set(JAVA_INT, Layouts.ProgInfo.NR_PROG_TAGS, ct);
                    i.set(JAVA_LONG, Layouts.ProgInfo.PROG_TAGS, tags.address());
                });
                int m = s.get(JAVA_INT, Layouts.ProgInfo.NR_MAP_IDS);
                int k = s.get(JAVA_INT, Layouts.ProgInfo.NR_JITED_KSYMS);
                int l = s.get(JAVA_INT, Layouts.ProgInfo.NR_JITED_FUNC_LENS);
                int f = s.get(JAVA_INT, Layouts.ProgInfo.NR_FUNC_INFO);
                int t = s.get(JAVA_INT, Layouts.ProgInfo.NR_PROG_TAGS);
                // More than we made room for: ask again with room for all of it. Maps can be bound
                // to a program meanwhile (BPF_PROG_BIND_MAP), hence a loop; after a few rounds the
                // arrays are returned as far as they fit.
                if ((m > cm || k > ck || l > cl || f > cf || t > ct) && attempt < 3) {
                    nMaps = Math.max(cm, m);
                    nKsyms = Math.max(ck, k);
                    nLens = Math.max(cl, l);
                    nFuncs = Math.max(cf, f);
                    nTags = Math.max(ct, t);
                    continue;
                }
                m = Math.min(m, cm);
                k = Math.min(k, ck);
                l = Math.min(l, cl);
                f = Math.min(f, cf);
                t = Math.min(t, ct);
                List<FuncInfo> fi = new ArrayList<>(f);
                for (int i = 0; i < f; i++)
                    fi.add(new FuncInfo(funcs.get(JAVA_INT, i * 8L), funcs.get(JAVA_INT, i * 8L + 4)));
                List<String> tagList = new ArrayList<>(t);
                for (int i = 0; i < t; i++) tagList.add(ProgInfo.hex(tags, i * 8L, 8));
                return ProgInfo.parse(s, maps.asSlice(0, 4L * m).toArray(JAVA_INT),
                        ksyms.asSlice(0, 8L * k).toArray(JAVA_LONG), lens.asSlice(0, 4L * l).toArray(JAVA_INT), fi, tagList);
            }
        }
    }

    /**
     * The instructions as the kernel rewrote them (BPF_OBJ_GET_INFO_BY_FD xlated_prog_insns).
     * Empty when the kernel hides them (no CAP_BPF, or bpf_dump_raw_ok() false).
     */
    public byte[] xlatedInstructions() {
        int len = info(fd, false).xlatedLen();
        if (len == 0) return new byte[0];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(len, 8);
            MemorySegment s = ObjectIds.info(fd, Layouts.ProgInfo.LAYOUT.byteSize(), arena, i -> {
                i.set(JAVA_INT, Layouts.ProgInfo.XLATED_PROG_LEN, len);
                i.set(JAVA_LONG, Layouts.ProgInfo.XLATED_PROG_INSNS, buf.address());
            });
            int got = Math.min(len, s.get(JAVA_INT, Layouts.ProgInfo.XLATED_PROG_LEN));
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Result of one BPF_PROG_TEST_RUN. */
    public record TestRunResult(int retval, int durationNs, byte[] dataOut) {}

    /** Runs the program on {@code data} (a packet for XDP/tc/socket filters) {@code repeat} times. */
    public TestRunResult testRun(byte[] data, int repeat) {
        return testRun(data, null, repeat);
    }

    /** Runs the program with an input packet and/or context (raw tracepoint, syscall programs take ctx only). */
    public TestRunResult testRun(byte[] data, byte[] ctx, int repeat) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = copy(arena, data);
            int outSize = data == null ? 0 : data.length + 256;
            MemorySegment out = outSize == 0 ? null : arena.allocate(outSize, 8);
            MemorySegment ctxIn = copy(arena, ctx);
            MemorySegment a = Bpf.attr(Layouts.TestRun.LAYOUT.byteSize());
            a.set(JAVA_INT, Layouts.TestRun.PROG_FD, fd.raw());
            if (in != null) {
                a.set(JAVA_INT, Layouts.TestRun.DATA_SIZE_IN, data.length);
                a.set(JAVA_LONG, Layouts.TestRun.DATA_IN, in.address());
                a.set(JAVA_INT, Layouts.TestRun.DATA_SIZE_OUT, outSize);
                a.set(JAVA_LONG, Layouts.TestRun.DATA_OUT, out.address());
            }
            if (ctxIn != null) {
                a.set(JAVA_INT, Layouts.TestRun.CTX_SIZE_IN, ctx.length);
                a.set(JAVA_LONG, Layouts.TestRun.CTX_IN, ctxIn.address());
            }
            a.set(JAVA_INT, Layouts.TestRun.REPEAT, repeat);
            Calls.check(BpfCommand.PROG_TEST_RUN, a, "test run");
            int n = in == null ? 0 : Math.min(outSize, a.get(JAVA_INT, Layouts.TestRun.DATA_SIZE_OUT));
            byte[] o = n == 0 ? new byte[0] : out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return new TestRunResult(a.get(JAVA_INT, Layouts.TestRun.RETVAL), a.get(JAVA_INT, Layouts.TestRun.DURATION), o);
        }
    }

    public void pin(String path) {
        Pins.pin(fd, path);
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "BpfProgram[" + ProgType.nameOf(typeValue) + " " + name + " " + fd + "]";
    }
}
