package io.bpf4j.tools.trace;

import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Records laid out as trace.bpf.c writes them, assembled into sessions and printed; the expected
 * text is retsnoop v0.9.6's real output on Debian 5.10 for the blog's command
 * (shared/reference/retsnoop-measured.md 3.1 and 3.3), trailing column padding included.
 */
class SessionFormatTest {
    static final KernelFunction SYS = new KernelFunction("__x64_sys_bpf", null, 0xffffffff81200000L);
    static final KernelFunction UPD = new KernelFunction("bpf_fd_array_map_update_elem", null, 0xffffffff81210000L);
    static final KernelFunction CMP = new KernelFunction("bpf_prog_array_compatible", null, 0xffffffff81220000L);
    static final TracedFunction[] FNS = {
        new TracedFunction(0, SYS, true, ReturnKind.LONG, 1, true),
        new TracedFunction(1, UPD, false, ReturnKind.INT32, 4, true),
        new TracedFunction(2, CMP, false, ReturnKind.BOOL, 2, true),
    };
    static final String KALLSYMS = """
            ffffffff81000000 T entry_SYSCALL_64_after_hwframe
            ffffffff81100000 T do_syscall_64
            ffffffff81200000 T __x64_sys_bpf
            ffffffff81201000 t __do_sys_bpf
            ffffffff81210000 T bpf_fd_array_map_update_elem
            ffffffff81220000 T bpf_prog_array_compatible
            ffffffffa0000000 t bpf_trampoline_6442501234\t[bpf]
            ffffffffa0001000 t bpf_prog_0123456789abcdef_fexit1\t[bpf]
            """;

    /** One event: {id, depth, kind, ts, ret}. */
    static long[] ev(int id, int depth, int kind, long ts, long ret) {
        return new long[] {id, depth, kind, ts, ret};
    }

    static MemorySegment sessionRecord(Arena a, int tid, long start, int flags, int chunk, List<long[]> events) {
        MemorySegment r = a.allocate(SessionAssembler.HDR_SIZE + 24L * events.size(), 8);
        r.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_SESSION);
        r.set(JAVA_INT_UNALIGNED, 4, tid);
        r.set(JAVA_INT_UNALIGNED, 8, tid);
        r.set(JAVA_INT_UNALIGNED, 12, events.size());
        r.set(JAVA_LONG_UNALIGNED, 16, start);
        r.set(JAVA_INT_UNALIGNED, 24, flags);
        r.set(JAVA_INT_UNALIGNED, 28, chunk);
        byte[] comm = "repro".getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(comm, 0, r, java.lang.foreign.ValueLayout.JAVA_BYTE, 32, comm.length);
        for (int i = 0; i < events.size(); i++) {
            long[] e = events.get(i);
            long o = SessionAssembler.HDR_SIZE + 24L * i;
            r.set(JAVA_INT_UNALIGNED, o, (int) e[0]);
            r.set(JAVA_SHORT_UNALIGNED, o + 4, (short) e[1]);
            r.set(JAVA_SHORT_UNALIGNED, o + 6, (short) e[2]);
            r.set(JAVA_LONG_UNALIGNED, o + 8, e[3]);
            r.set(JAVA_LONG_UNALIGNED, o + 16, e[4]);
        }
        return r;
    }

    static MemorySegment stackRecord(Arena a, int tid, long start, int event, long... ips) {
        MemorySegment r = a.allocate(SessionAssembler.STACK_HDR + 8L * SessionAssembler.MAX_FRAMES, 8);
        r.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_STACK);
        r.set(JAVA_INT_UNALIGNED, 4, tid);
        r.set(JAVA_LONG_UNALIGNED, 8, start);
        r.set(JAVA_INT_UNALIGNED, 16, event);
        r.set(JAVA_INT_UNALIGNED, 20, ips.length * 8);
        for (int i = 0; i < ips.length; i++) r.set(JAVA_LONG_UNALIGNED, SessionAssembler.STACK_HDR + 8L * i, ips[i]);
        return r;
    }

    static final int EXIT = SessionAssembler.EV_EXIT, FAIL = SessionAssembler.EV_EXIT | SessionAssembler.EV_FAILED;
    static final long T0 = 5_000_000_000L;

    /** The blog's failing update: durations 88.500, 556.290 and 661.570 us as in retsnoop's output. */
    static List<long[]> blogEvents() {
        return List.of(
                ev(0, 0, 0, T0, 0), ev(1, 1, 0, T0 + 50_000, 0), ev(2, 2, 0, T0 + 100_000, 0),
                ev(2, 2, EXIT, T0 + 188_500, 0), ev(1, 1, FAIL, T0 + 606_290, 0xffffffeaL), ev(0, 0, FAIL, T0 + 661_570, -22L));
    }

    /** {@link #blogEvents()} with each call's return address (0: none recorded). */
    static List<long[]> withReturnAddresses(long... ra) {
        List<long[]> ev = new ArrayList<>(blogEvents());
        for (int i = 0; i < ra.length; i++) {
            long[] e = ev.get(i).clone();
            e[4] = ra[i];
            ev.set(i, e);
        }
        return ev;
    }

    static List<Session> assemble(MemorySegment... records) {
        List<Session> out = new ArrayList<>();
        SessionAssembler asm = new SessionAssembler(FNS, out::add);
        for (MemorySegment r : records) asm.accept(r);
        assertEquals(0, asm.badRecords());
        return out;
    }

    @Test
    void traceTableIsRetsnoopsLayout() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> s = assemble(sessionRecord(a, 151, T0, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED, 0, blogEvents()));
            assertEquals(1, s.size());
            String table = new SessionFormat(Kallsyms.parse(KALLSYMS), null).traceTable(s.getFirst());
            assertEquals(String.join("\n",
                    "FUNCTION CALL TRACE                   RESULT      DURATION",
                    "-----------------------------------   ---------  ---------",
                    "→ __x64_sys_bpf                                           ",
                    "    → bpf_fd_array_map_update_elem                        ",
                    "        ↔ bpf_prog_array_compatible   [false]     88.500us",
                    "    ← bpf_fd_array_map_update_elem    [-EINVAL]  556.290us",
                    "← __x64_sys_bpf                       [-EINVAL]  661.570us") + "\n", table);
        }
    }

    @Test
    void kretprobeStackMarksTheRecordedCallsTheStackDoesNotShow() {
        try (Arena a = Arena.ofConfined()) {
            // 5.10 kretprobe: the stack is only the trampoline, which is filtered.
            List<Session> s = assemble(stackRecord(a, 151, T0, 4, 0xffffffffa0000010L),
                    sessionRecord(a, 151, T0, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED, 0, blogEvents()));
            Session x = s.getFirst();
            assertEquals("bpf_fd_array_map_update_elem", x.errorCall().function().name(), "the deepest failing call");
            assertEquals(String.join("\n",
                    "!  661us [-EINVAL]  __x64_sys_bpf                 ",
                    "!  556us [-EINVAL]  bpf_fd_array_map_update_elem  ") + "\n",
                    new SessionFormat(Kallsyms.parse(KALLSYMS), null).errorStack(x));
        }
    }

    /** The blog session as fexit records it: the stack taken at the first failure (event 4), with trampoline frames on top. */
    static List<Session> blogFexitSession(Arena a) {
        long[] ips = {0xffffffffa0001040L, 0xffffffffa0000020L, 0xffffffff81210005L, 0xffffffff812027a8L,
                0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000067L};
        List<long[]> ev = new ArrayList<>(blogEvents());
        ev.set(4, ev(1, 1, FAIL, T0 + 50_000 + 1_029_920, 0xffffffeaL));
        ev.set(5, ev(0, 0, FAIL, T0 + 2_230_400, -22L));
        return assemble(stackRecord(a, 312, T0, 4, ips),
                sessionRecord(a, 312, T0, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED, 0, ev));
    }

    @Test
    void fexitStackMergesRecordedCallsIntoTheKernelStack() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> s = blogFexitSession(a);
            assertEquals(String.join("\n",
                    "                     entry_SYSCALL_64_after_hwframe+0x67  ",
                    "                     do_syscall_64+0x33                   ",
                    "   2230us [-EINVAL]  __x64_sys_bpf+0x5                    ",
                    "                     __do_sys_bpf+0x17a8                  ",
                    "   1029us [-EINVAL]  bpf_fd_array_map_update_elem+0x5     ") + "\n",
                    new SessionFormat(Kallsyms.parse(KALLSYMS), addr -> null).errorStack(s.getFirst()));
            String withLines = new SessionFormat(Kallsyms.parse(KALLSYMS), addr -> "kernel/x.c:" + (addr & 0xff)).errorStack(s.getFirst());
            assertTrue(withLines.contains("__x64_sys_bpf+0x5                    (kernel/x.c:5)"), withLines);
        }
    }

    @Test
    void aLongSessionArrivesInChunksAndAHandledErrorIsForgotten() {
        try (Arena a = Arena.ofConfined()) {
            List<long[]> first = new ArrayList<>(), second = new ArrayList<>();
            first.add(ev(0, 0, 0, T0, 0));
            long t = T0;
            // 32 calls of update at depth 1: the first fails, the rest succeed (the error was handled).
            for (int i = 0; i < 32; i++) {
                List<long[]> to = first.size() < SessionAssembler.MAX_EVENTS ? first : second;
                to.add(ev(1, 1, 0, t += 10, 0));
                (first.size() < SessionAssembler.MAX_EVENTS ? first : second).add(ev(1, 1, i == 0 ? FAIL : EXIT, t += 10, i == 0 ? 0xffffffeaL : 0));
            }
            second.add(ev(0, 0, EXIT, t += 10, 0));
            List<Session> s = assemble(sessionRecord(a, 7, T0, 0, 0, first), sessionRecord(a, 7, T0, SessionAssembler.S_FINAL, 1, second));
            assertEquals(1, s.size());
            assertEquals(32, s.getFirst().root().children().size());
            assertFalse(s.getFirst().failed(), "a later success of a function that can fail clears the error");
            assertEquals(0, s.getFirst().lostRecords());
        }
    }

    @Test
    void aLostChunkIsCountedAndTheSessionStillCompletes() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> s = assemble(
                    sessionRecord(a, 9, T0, 0, 0, List.of(ev(0, 0, 0, T0, 0), ev(1, 1, 0, T0 + 5, 0))),
                    sessionRecord(a, 9, T0, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED, 2,
                            List.of(ev(1, 1, FAIL, T0 + 50, -22L), ev(0, 0, FAIL, T0 + 60, -22L))));
            assertEquals(1, s.size());
            assertEquals(1, s.getFirst().lostRecords());
            assertTrue(new SessionFormat(null, null).format(s.getFirst(), true, true).contains("missing 1 records"));
        }
    }

    @Test
    void malformedRecordsAreCountedNotThrown() {
        try (Arena a = Arena.ofConfined()) {
            SessionAssembler asm = new SessionAssembler(FNS, x -> fail("no session"));
            asm.accept(a.allocate(4));
            MemorySegment r = sessionRecord(a, 1, T0, SessionAssembler.S_FINAL, 0, List.of(ev(7, 0, 0, T0, 0)));
            asm.accept(r); // function id out of range
            MemorySegment big = sessionRecord(a, 1, T0, 0, 0, List.of());
            big.set(JAVA_INT_UNALIGNED, 12, 1000);
            asm.accept(big);
            assertEquals(3, asm.badRecords());
        }
    }

    @Test
    void errorFiltersLookAtTheErrorChain() {
        try (Arena a = Arena.ofConfined()) {
            Session s = assemble(sessionRecord(a, 1, T0, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED, 0, blogEvents())).getFirst();
            assertTrue(SessionFilter.errorsOnly().test(s));
            assertTrue(new SessionFilter(false, java.util.Set.of("-EINVAL"), java.util.Set.of(), 0).test(s));
            assertFalse(new SessionFilter(false, java.util.Set.of("ENOMEM"), java.util.Set.of(), 0).test(s));
            assertFalse(new SessionFilter(false, java.util.Set.of(), java.util.Set.of("EINVAL"), 0).test(s));
            assertFalse(new SessionFilter(false, java.util.Set.of(), java.util.Set.of(), 1_000_000).test(s), "-L 1 ms");
            assertThrows(io.bpf4j.BpfException.class, () -> new SessionFilter(false, java.util.Set.of("EWHAT"), java.util.Set.of(), 0));
            java.util.Map<String, Object> j = new SessionFormat(null, null).json(s);
            assertEquals("-EINVAL", j.get("error"));
            assertEquals(true, j.get("failed"));
        }
    }

    /** What {@link SessionFormat#format} must print, composed from the String renderers (StackLine based). */
    static String reference(SessionFormat f, Session s, boolean table, boolean stack) {
        return f.header(s) + "\n\n" + (table ? f.traceTable(s) + "\n" : "") + (stack ? f.errorStack(s) : "")
                + (s.truncated() ? "(calls deeper than the tracer's depth limit were not recorded)\n" : "")
                + (s.lostRecords() > 0 ? "‼ ... missing " + s.lostRecords() + " records ...\n" : "") + "\n\n";
    }

    @Test
    void theBufferedWriterPrintsWhatTheReferenceRendererPrints() {
        try (Arena a = Arena.ofConfined()) {
            long[] fexitIps = {0xffffffffa0001040L, 0xffffffffa0000020L, 0xffffffff81210005L, 0xffffffff812027a8L,
                    0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000067L, 0xffffffff99999999L};
            int FIN = SessionAssembler.S_FINAL, FAILED = SessionAssembler.S_FINAL | SessionAssembler.S_FAILED;
            List<Session> sessions = assemble(
                    stackRecord(a, 151, T0, 4, 0xffffffffa0000010L), sessionRecord(a, 151, T0, FAILED, 0, blogEvents()),
                    stackRecord(a, 312, T0, 4, fexitIps), sessionRecord(a, 312, T0, FAILED, 0, blogEvents()),
                    // no stack record at all, and an unknown address
                    sessionRecord(a, 313, T0, FAILED, 0, blogEvents()),
                    // a successful session (-S)
                    sessionRecord(a, 314, T0, FIN, 0, List.of(ev(0, 0, 0, T0, 0), ev(2, 1, 0, T0 + 10, 0), ev(2, 1, EXIT, T0 + 20, 1),
                            ev(0, 0, EXIT, T0 + 1_234_567_890L, 3))),
                    // the root's exit lost, a lost chunk, a call deeper than the limit
                    sessionRecord(a, 315, T0, 0, 0, List.of(ev(0, 0, 0, T0, 0), ev(1, 1, 0, T0 + 5, 0))),
                    sessionRecord(a, 315, T0, FAILED | SessionAssembler.S_OVERFLOW, 2, List.of(ev(1, 1, FAIL, T0 + 50, -22L))),
                    // stitched (-K before 5.15): a stack taken at the root's entry and the calls'
                    // return address of the failing call in the probe machinery, which a kernel stack hides
                    stackRecord(a, 316, T0, (int) SessionAssembler.STACK_AT_ENTRY, 0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000044L),
                    sessionRecord(a, 316, T0, FAILED, 0, withReturnAddresses(0, 0xffffffffa0000010L)),
                    // only return addresses: the root's own starts the stack
                    stackRecord(a, 317, T0, (int) SessionAssembler.STACK_AT_ENTRY),
                    sessionRecord(a, 317, T0, FAILED, 0, withReturnAddresses(0xffffffff81100033L, 0xffffffff812027a8L, 0xffffffff81210037L)));
            assertEquals(7, sessions.size());
            assertTrue(sessions.get(5).stackAtEntry() && sessions.get(6).stackAtEntry());
            SessionFormat.InlineSource inline = new SessionFormat.InlineSource() {
                @Override
                public String apply(long addr) {
                    return "kernel/bpf/syscall.c:" + (addr & 0xfff);
                }

                @Override
                public List<SessionFormat.Inlined> inlined(long addr) {
                    return (addr & 1) == 0 ? List.of() : List.of(new SessionFormat.Inlined("map_update_elem", "kernel/bpf/syscall.c:1234"),
                            new SessionFormat.Inlined("bpf_map_update_value", null));
                }
            };
            for (LongFunction<String> lines : List.<LongFunction<String>>of(addr -> null, addr -> "kernel/x.c:" + (addr & 0xff), inline)) {
                SessionFormat f = new SessionFormat(Kallsyms.parse(KALLSYMS), lines);
                for (int round = 0; round < 2; round++) { // the second round runs on warm caches
                    for (Session s : sessions) {
                        for (boolean table : new boolean[] {false, true}) {
                            for (boolean stack : new boolean[] {false, true}) {
                                String want = reference(f, s, table, stack);
                                assertEquals(want, f.format(s, table, stack));
                                TextBuffer b = new TextBuffer(8);
                                b.append("before|");
                                f.write(s, table, stack, b);
                                assertEquals("before|" + want, b.toString(), "write appends");
                            }
                        }
                    }
                }
            }
            String withInline = new SessionFormat(Kallsyms.parse(KALLSYMS), inline).format(sessions.get(1), false, true);
            assertTrue(withInline.lines().anyMatch(l -> l.strip().startsWith(". map_update_elem ") && l.endsWith("  (kernel/bpf/syscall.c:1234)")),
                    withInline);
            String noKallsyms = new SessionFormat(null, null).format(sessions.get(1), false, true);
            assertTrue(noKallsyms.contains("0xffffffff81200005"), noKallsyms);
        }
    }

    /** {@link #blogEvents()} with the update's exit {@code dt} ns later and returning {@code ret}. */
    static List<long[]> blogEvents(long dt, long ret) {
        List<long[]> ev = new ArrayList<>(blogEvents());
        ev.set(4, ev(1, 1, FAIL, T0 + 606_290 + dt, ret));
        ev.set(5, ev(0, 0, FAIL, T0 + 661_570 + dt, -22L));
        return ev;
    }

    @Test
    void aRepeatedErrorStackIsPrintedAgainWithWhatChanged() {
        // One formatter prints a loop's failures one after another (it keeps the last error stack
        // to print again); each must read as a fresh formatter's reference rendering of it.
        try (Arena a = Arena.ofConfined()) {
            long[] ips = {0xffffffffa0001040L, 0xffffffffa0000020L, 0xffffffff81210005L, 0xffffffff812027a8L,
                    0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000067L};
            long[] otherIps = ips.clone();
            otherIps[3] = 0xffffffff812027b0L;
            int FAILED = SessionAssembler.S_FINAL | SessionAssembler.S_FAILED;
            List<Session> sessions = assemble(
                    stackRecord(a, 401, T0, 4, ips), sessionRecord(a, 401, T0, FAILED, 0, blogEvents()),
                    stackRecord(a, 402, T0, 4, ips), sessionRecord(a, 402, T0, FAILED, 0, blogEvents()),
                    // the same microseconds (400 ns later), then another microsecond count and a 4-digit one
                    stackRecord(a, 403, T0, 4, ips), sessionRecord(a, 403, T0, FAILED, 0, blogEvents(400, 0xffffffeaL)),
                    stackRecord(a, 404, T0, 4, ips), sessionRecord(a, 404, T0, FAILED, 0, blogEvents(1_000, 0xffffffeaL)),
                    stackRecord(a, 405, T0, 4, ips), sessionRecord(a, 405, T0, FAILED, 0, blogEvents(1_000_000, 0xffffffeaL)),
                    // another error (-E2BIG), then another return address in the stack
                    stackRecord(a, 406, T0, 4, ips), sessionRecord(a, 406, T0, FAILED, 0, blogEvents(1_000_000, 0xfffffff9L)),
                    stackRecord(a, 407, T0, 4, otherIps), sessionRecord(a, 407, T0, FAILED, 0, blogEvents(1_000_000, 0xfffffff9L)),
                    // a shorter stack that is a prefix of the last one
                    stackRecord(a, 408, T0, 4, java.util.Arrays.copyOf(otherIps, 5)),
                    sessionRecord(a, 408, T0, FAILED, 0, blogEvents(1_000_000, 0xfffffff9L)),
                    stackRecord(a, 409, T0, 4, ips), sessionRecord(a, 409, T0, FAILED, 0, blogEvents()),
                    // stitched (-K before 5.15): the same stack at entry and return addresses, then
                    // one call's return address elsewhere
                    stackRecord(a, 410, T0, (int) SessionAssembler.STACK_AT_ENTRY, 0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000044L),
                    sessionRecord(a, 410, T0, FAILED, 0, withReturnAddresses(0, 0xffffffff81201010L)),
                    stackRecord(a, 411, T0, (int) SessionAssembler.STACK_AT_ENTRY, 0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000044L),
                    sessionRecord(a, 411, T0, FAILED, 0, withReturnAddresses(0, 0xffffffff81201010L)),
                    stackRecord(a, 412, T0, (int) SessionAssembler.STACK_AT_ENTRY, 0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000044L),
                    sessionRecord(a, 412, T0, FAILED, 0, withReturnAddresses(0, 0xffffffff81201020L)));
            assertEquals(12, sessions.size());
            ZoneId utc = ZoneId.of("UTC");
            SessionFormat kept = new SessionFormat(Kallsyms.parse(KALLSYMS), addr -> "kernel/x.c:" + (addr & 0xff), 7_000_000_123L, utc);
            List<String> stacks = new ArrayList<>();
            for (Session s : sessions) {
                SessionFormat fresh = new SessionFormat(Kallsyms.parse(KALLSYMS), addr -> "kernel/x.c:" + (addr & 0xff), 7_000_000_123L, utc);
                String text = kept.format(s, false, true);
                assertEquals(reference(fresh, s, false, true), text, "session of tid " + s.tid());
                stacks.add(text.substring(text.indexOf('\n')));
            }
            assertEquals(stacks.get(0), stacks.get(1));
            assertEquals(stacks.get(0), stacks.get(2));
            assertEquals(stacks.get(0), stacks.get(8));
            assertEquals(stacks.get(9), stacks.get(10));
            assertTrue(stacks.get(11).contains("__do_sys_bpf+0x20") && stacks.get(10).contains("__do_sys_bpf+0x10"), stacks.get(11));
            assertEquals(8, stacks.stream().distinct().count(), String.join("", stacks));
            // The header's thread part is kept per thread: a thread that renamed itself says so.
            MemorySegment renamed = sessionRecord(a, 401, T0 + 1, FAILED, 0, blogEvents());
            MemorySegment.copy("other\0".getBytes(StandardCharsets.UTF_8), 0, renamed, java.lang.foreign.ValueLayout.JAVA_BYTE, 32, 6);
            String header = kept.format(assemble(renamed).getFirst(), false, true).lines().findFirst().orElseThrow();
            assertTrue(header.endsWith(" TID/PID 401/401 (other/other):"), header);
        }
    }

    @Test
    void timesAreLocalWallClockTruncatedToMicrosecondsAcrossAnOffsetChange() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        // Mono 0 is one minute before Berlin moves its clocks forward (2026-03-29 01:00 UTC).
        long epochAtMono0 = Instant.parse("2026-03-29T00:59:00Z").getEpochSecond() * 1_000_000_000L;
        SessionFormat f = new SessionFormat(null, null, epochAtMono0, berlin);
        DateTimeFormatter ref = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
        java.util.Random r = new java.util.Random(1);
        long mono = 0;
        for (int i = 0; i < 5000; i++) {
            mono += r.nextInt(100) == 0 ? r.nextLong(5_000_000_000L) : r.nextInt(2_000_000);
            Instant at = Instant.ofEpochSecond(0, epochAtMono0 + mono);
            assertEquals(LocalDateTime.ofInstant(at, berlin).format(ref), f.time(mono), "at " + at);
        }
        assertTrue(Instant.ofEpochSecond(0, epochAtMono0 + mono).isAfter(Instant.parse("2026-03-29T01:00:00Z")), "crossed the change");
    }

    @Test
    void sessionsHandedOnStayIntactWhileTheAssemblerReusesItsState() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> out = new ArrayList<>();
            SessionAssembler asm = new SessionAssembler(FNS, out::add);
            int FAILED = SessionAssembler.S_FINAL | SessionAssembler.S_FAILED;
            asm.accept(stackRecord(a, 151, T0, 4, 0xffffffff81210005L, 0xffffffff81200005L));
            asm.accept(sessionRecord(a, 151, T0, FAILED, 0, blogEvents()));
            SessionFormat f = new SessionFormat(Kallsyms.parse(KALLSYMS), null);
            Session first = out.getFirst();
            String firstText = f.format(first, true, true);
            // 300 more sessions of 3 threads, two of them split over chunks and interleaved.
            for (int i = 1; i <= 100; i++) {
                long t = T0 + i * 1_000_000L;
                asm.accept(sessionRecord(a, 7, t, 0, 0, List.of(ev(0, 0, 0, t, 0))));
                asm.accept(sessionRecord(a, 8, t, 0, 0, List.of(ev(0, 0, 0, t, 0), ev(1, 1, 0, t + 1, 0))));
                asm.accept(stackRecord(a, 7, t, SessionAssembler.MAX_EVENTS, 0xffffffff81200005L)); // event 0 of chunk 1
                asm.accept(sessionRecord(a, 7, t, FAILED, 1, List.of(ev(0, 0, FAIL, t + 9, -9))));
                asm.accept(sessionRecord(a, 8, t, SessionAssembler.S_FINAL, 1, List.of(ev(1, 1, EXIT, t + 2, 0), ev(0, 0, EXIT, t + 3, 0))));
                asm.accept(sessionRecord(a, 9, t, FAILED, 0, blogEvents()));
            }
            assertEquals(301, out.size());
            assertEquals(0, asm.pending());
            assertEquals(firstText, f.format(first, true, true), "a session handed on is never changed by later ones");
            Session t7 = out.get(1);
            assertEquals(7, t7.tid());
            assertEquals("-EBADF", t7.errorCall().resultText());
            assertArrayEquals(new long[] {0xffffffff81200005L}, t7.stack());
            assertEquals(2, out.get(2).calls().size(), "thread 8's call tree spans its two chunks");
        }
    }

    @Test
    void aThreadWhoseSessionEndWasLostStillAssemblesItsNextSession() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> out = new ArrayList<>();
            SessionAssembler asm = new SessionAssembler(FNS, out::add);
            asm.accept(sessionRecord(a, 5, T0, 0, 0, List.of(ev(0, 0, 0, T0, 0)))); // its final record was dropped
            asm.accept(stackRecord(a, 5, T0 + 100, 4, 0xffffffff81200005L));
            asm.accept(sessionRecord(a, 5, T0 + 100, SessionAssembler.S_FINAL | SessionAssembler.S_FAILED, 0, blogEvents()));
            assertEquals(1, out.size());
            assertEquals(T0 + 100, out.getFirst().startNs());
            assertArrayEquals(new long[] {0xffffffff81200005L}, out.getFirst().stack());
            assertEquals(1, asm.pending(), "the session without its end stays open");
            asm.accept(sessionRecord(a, 5, T0, SessionAssembler.S_FINAL, 3, List.of(ev(0, 0, EXIT, T0 + 50, 0))));
            assertEquals(2, out.size());
            assertEquals(2, out.get(1).lostRecords());
            assertEquals(0, asm.pending());
        }
    }
}
