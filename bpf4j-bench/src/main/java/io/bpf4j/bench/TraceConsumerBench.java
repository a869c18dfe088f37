package io.bpf4j.bench;

import io.bpf4j.kernel.Kallsyms;
import io.bpf4j.tools.trace.KernelFunction;
import io.bpf4j.tools.trace.ReturnKind;
import io.bpf4j.tools.trace.Session;
import io.bpf4j.tools.trace.SessionAssembler;
import io.bpf4j.tools.trace.SessionFormat;
import io.bpf4j.tools.trace.TextBuffer;
import io.bpf4j.tools.trace.TracedFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The Java consumer of {@code bpf4j trace} per failing session, without a kernel: the two ring
 * buffer records trace.bpf.c ships for one failing bpf() lookup on a bad fd (a stack record and a
 * 6-event session record, laid out as in trace.bpf.c) are assembled by {@link SessionAssembler}
 * and printed in the default output mode (header and symbolized error stack) into a buffered
 * stream that discards the bytes. Score: ns per session. {@code frames} is the kernel stack depth
 * (a 5.10 kretprobe stack is 1 frame, a 6.x kprobe.multi one about 10). This is the work that
 * bounds the zero-drop rate of bench/trace/ceiling.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TraceConsumerBench {
    static final int HDR = 48, EVENT = 24, STACK_HDR = 24;
    static final long BASE = 0xffffffff81000000L;
    static final String[] STACK_FUNCS = {"entry_SYSCALL_64_after_hwframe", "do_syscall_64", "__x64_sys_bpf", "__do_sys_bpf",
        "map_lookup_elem", "__fdget", "__fget_light", "kretprobe_trampoline", "trace_call_bpf", "bpf_get_stackid_raw_tp"};

    @Param({"1", "10"})
    int frames;

    /** buffer: SessionFormat.write into a reused TextBuffer, one write per 64 sessions (the CLI's path);
     *  string: format to a String, printed through a PrintStream (the path before). */
    @Param({"buffer", "string"})
    String output = "buffer";

    /** true: -A, the syscall's {@code struct pt_regs *} read at its exit (an arguments record before
     *  the session record, as trace.bpf.c ships it), typed by this kernel's BTF. */
    @Param({"false", "true"})
    boolean args;

    /** true: -K before 5.15, the stack taken at the session's entry (the syscall path and the
     *  kprobe machinery) and each call's return address, stitched by the reference renderer. */
    @Param({"false"})
    boolean stitched;

    /** true: each session's calls last a microsecond longer than the last one's, so no two
     *  sessions print the same error stack (SessionFormat cannot print its kept one again). */
    @Param({"false", "true"})
    boolean varied;

    Arena arena = Arena.ofConfined();
    MemorySegment stackRec, sessionRec, argsRec;
    SessionAssembler assembler;
    SessionFormat format;
    PrintStream printStream;
    TextBuffer text = new TextBuffer(1 << 16);
    OutputStream sink = OutputStream.nullOutputStream();
    int batched;
    long start = 1_000_000_000L;
    int tid = 1000;

    static Kallsyms kallsyms() {
        // A kernel-sized table (60k symbols, 16 bytes apart) with the stack's functions in it.
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            String name = i % 6000 == 0 && i / 6000 < STACK_FUNCS.length ? STACK_FUNCS[i / 6000] : "fn_" + i;
            sb.append(Long.toHexString(BASE + 16L * i)).append(" T ").append(name).append('\n');
        }
        return Kallsyms.parse(sb.toString());
    }

    static long addr(int stackFunc) {
        return BASE + 16L * 6000 * stackFunc + 5;
    }

    @Setup
    public void setup() {
        TracedFunction[] fns = {
            new TracedFunction(0, new KernelFunction("__x64_sys_bpf", null, addr(2) - 5), true, ReturnKind.LONG, 1, true),
            new TracedFunction(1, new KernelFunction("security_bpf", null, BASE + 0x10), false, ReturnKind.INT32, 3, true),
            new TracedFunction(2, new KernelFunction("__fdget", null, addr(5) - 5), false, ReturnKind.UNSIGNED, 1, true),
        };
        stackRec = arena.allocate(STACK_HDR + 8L * frames, 8);
        stackRec.set(JAVA_INT_UNALIGNED, 0, 2);
        stackRec.set(JAVA_INT_UNALIGNED, 16, 5);
        stackRec.set(JAVA_INT_UNALIGNED, 20, 8 * frames);
        // Innermost first, as bpf_get_stack stores them: the probe machinery, then the call chain.
        int[] order = stitched ? new int[] {9, 8, 2, 1, 0} : frames == 1 ? new int[] {2} : new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        if (stitched) {
            frames = order.length;
            stackRec = arena.allocate(STACK_HDR + 8L * frames, 8);
            stackRec.set(JAVA_INT_UNALIGNED, 0, 2);
            stackRec.set(JAVA_INT_UNALIGNED, 16, 0x80000000); // STACK_AT_ENTRY
            stackRec.set(JAVA_INT_UNALIGNED, 20, 8 * frames);
        }
        for (int i = 0; i < frames; i++) stackRec.set(JAVA_LONG_UNALIGNED, STACK_HDR + 8L * i, addr(order[i]));
        sessionRec = arena.allocate(HDR + 6L * EVENT, 8);
        sessionRec.set(JAVA_INT_UNALIGNED, 0, 1);
        sessionRec.set(JAVA_INT_UNALIGNED, 12, 6);
        sessionRec.set(JAVA_INT_UNALIGNED, 24, 1 | 2);
        byte[] comm = "workload".getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(comm, 0, sessionRec, JAVA_BYTE, 32, comm.length);
        long[][] ev = {{0, 0, 0, 0, 0}, {1, 1, 0, 300, 0}, {1, 1, 1, 900, 0}, {2, 1, 0, 1000, 0}, {2, 1, 1, 1400, 0xffff8880_1234_0000L},
            {0, 0, 3, 2000, -9}};
        if (stitched) {
            // Entries record their return address: __x64_sys_bpf's in do_syscall_64, the callees' in __do_sys_bpf.
            ev[0][4] = addr(1) + 0x30;
            ev[1][4] = addr(3) + 0x40;
            ev[3][4] = addr(3) + 0x90;
        }
        for (int i = 0; i < ev.length; i++) {
            long o = HDR + (long) EVENT * i;
            sessionRec.set(JAVA_INT_UNALIGNED, o, (int) ev[i][0]);
            sessionRec.set(JAVA_SHORT_UNALIGNED, o + 4, (short) ev[i][1]);
            sessionRec.set(JAVA_SHORT_UNALIGNED, o + 6, (short) ev[i][2]);
            sessionRec.set(JAVA_LONG_UNALIGNED, o + 8, ev[i][3]);
            sessionRec.set(JAVA_LONG_UNALIGNED, o + 16, ev[i][4]);
        }
        if (args) {
            // The syscall's one argument, a struct pt_regs * (168 bytes on x86-64), read at its exit.
            io.bpf4j.btf.Btf btf = io.bpf4j.btf.Btf.kernel();
            var proto = io.bpf4j.tools.trace.ReturnKind.proto(btf, "__x64_sys_bpf").orElseThrow();
            fns[0] = fns[0].withArgs(io.bpf4j.tools.trace.ArgLayout.of(btf, proto, io.bpf4j.tools.trace.ArgLayout.Limits.DEFAULT, true));
            int regs = 168, data = 56 + 8 + regs;
            argsRec = arena.allocate(24 + data, 8);
            argsRec.set(JAVA_INT_UNALIGNED, 0, 3);
            argsRec.set(JAVA_INT_UNALIGNED, 20, data);
            argsRec.set(JAVA_SHORT_UNALIGNED, 24, (short) data);        // call_args.size
            argsRec.set(JAVA_BYTE, 26, (byte) 1);                       // nvals
            argsRec.set(JAVA_BYTE, 27, (byte) 1);                       // nread
            argsRec.set(JAVA_LONG_UNALIGNED, 32, 0xffffc90000a3ff58L);  // the register: the pt_regs address
            argsRec.set(JAVA_SHORT_UNALIGNED, 24 + 56, (short) regs);  // arg_data.len
            argsRec.set(JAVA_BYTE, 24 + 58, (byte) 0);                  // arg
            argsRec.set(JAVA_BYTE, 24 + 59, (byte) 1);                  // AK_BYTES
            // Registers as a failing bpf(BPF_MAP_LOOKUP_ELEM) leaves them: user addresses, small numbers.
            long[] r = {0x7f5ec002a310L, 0x7f5ec75afa90L, 3795267008L, 0x7f5ec75af940L, 32, 518, 2, 0x7f5ec01bf6d0L, 0x7f5ec01df3e0L,
                0xffffffffffffffdaL, 0x7f5ec8fb6829L, 32, 0x7f5ec01df3e0L, 1, 321, 0x7f5ec8fb6829L, 51, 518, 0x7f5ec75af928L, 43, 0};
            for (int i = 0; i < r.length; i++) argsRec.set(JAVA_LONG_UNALIGNED, 24 + 64 + 8L * i, r[i]);
            // The syscall's failing exit (the last event) points at offset 0 of the chunk's arguments.
            sessionRec.set(JAVA_SHORT_UNALIGNED, HDR + 5L * EVENT + 6, (short) (3 | 8));
        }
        format = new SessionFormat(kallsyms(), null);
        if (args) format = format.withArgs(io.bpf4j.tools.trace.ArgLayout.Style.COMPACT, 120);
        printStream = new PrintStream(new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 16), false, StandardCharsets.UTF_8);
        assembler = new SessionAssembler(fns, output.equals("string") ? this::printString : this::printBuffer);
    }

    void printString(Session s) {
        printStream.print(format.format(s, false, true));
    }

    void printBuffer(Session s) {
        format.write(s, false, true, text);
        if (++batched == 64) {
            try {
                text.writeTo(sink);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            text.clear();
            batched = 0;
        }
    }

    /**
     * Thread CPU time per session (not wall time: the lab host is shared, and a busy neighbour
     * inflates wall time, not CPU time), for a JVM started with the launcher's flags:
     * {@code java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp benchmarks.jar io.bpf4j.bench.TraceConsumerBench [frames] [seconds] [buffer|string] [args] [stitched] [varied]}.
     */
    public static void main(String[] args) {
        TraceConsumerBench b = new TraceConsumerBench();
        b.frames = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        b.output = args.length > 2 ? args[2] : "buffer";
        b.args = args.length > 3 && Boolean.parseBoolean(args[3]);
        b.stitched = args.length > 4 && Boolean.parseBoolean(args[4]);
        b.varied = args.length > 5 && Boolean.parseBoolean(args[5]);
        b.setup();
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 5; round++) {
            long c0 = mx.getCurrentThreadCpuTime(), n = 0, end = c0 + (long) (seconds * 1e9 / 5);
            while (mx.getCurrentThreadCpuTime() < end) {
                for (int i = 0; i < 1000; i++) b.assembleAndPrint();
                n += 1000;
            }
            long c1 = mx.getCurrentThreadCpuTime();
            System.out.printf(b.output + (b.args ? " -A" : "") + (b.stitched ? " stitched" : "") + (b.varied ? " varied" : "") + " frames %d round %d: %.0f ns CPU per session (%d sessions)%n", b.frames, round, (c1 - c0) / (double) n, n);
        }
    }

    /** One failing session: its two records in, its text out. */
    @Benchmark
    public long assembleAndPrint() {
        // Each session has its own identity (thread, start time), as in a real run.
        tid = tid == 1100 ? 1000 : tid + 1;
        start += 5000;
        stackRec.set(JAVA_INT_UNALIGNED, 4, tid);
        stackRec.set(JAVA_LONG_UNALIGNED, 8, start);
        sessionRec.set(JAVA_INT_UNALIGNED, 4, tid);
        sessionRec.set(JAVA_INT_UNALIGNED, 8, tid);
        sessionRec.set(JAVA_LONG_UNALIGNED, 16, start);
        long spread = varied ? 1000L * (tid - 1000) : 0; // tid cycles through 101 values
        for (int i = 0; i < 6; i++) sessionRec.set(JAVA_LONG_UNALIGNED, HDR + (long) EVENT * i + 8, start + 300L * i + (i == 5 ? spread : 0));
        assembler.accept(stackRec);
        if (args) {
            argsRec.set(JAVA_INT_UNALIGNED, 4, tid);
            argsRec.set(JAVA_LONG_UNALIGNED, 8, start);
            // rbx, as a caller's loop counter would be: every capture differs, so the renderer
            // cannot reuse the line of the one before (ArgLayout keeps the last).
            argsRec.set(JAVA_LONG_UNALIGNED, 24 + 64 + 8 * 5, start);
            assembler.accept(argsRec);
        }
        assembler.accept(sessionRec);
        return assembler.sessions();
    }
}
