package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.bpf4j.tools.trace.SessionFormatTest.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The second step's records, laid out as trace.bpf.c writes them, assembled and printed:
 * injected probes in the call trace, captured arguments beside their calls, stacks taken at the
 * session's entry stitched with return addresses, and a sample of last branch records.
 */
class SessionFeaturesFormatTest {
    static final int PROBE = SessionAssembler.EV_PROBE, FAILED = SessionAssembler.S_FINAL | SessionAssembler.S_FAILED;

    static TracedFunction[] withProbes() {
        List<TracedFunction> f = new ArrayList<>(List.of(FNS));
        f.add(new TracedFunction(3, new KernelFunction("kprobe:bpf_prog_test_run_xdp+0x9", null, 0), false, ReturnKind.VOID, 0, true,
                TracedFunction.Kind.PROBE, null, null));
        f.add(new TracedFunction(4, new KernelFunction("kretprobe:bpf_prog_array_compatible", null, 0), false, ReturnKind.BOOL, 0, true,
                TracedFunction.Kind.PROBE, null, null));
        return f.toArray(TracedFunction[]::new);
    }

    static List<Session> assemble(TracedFunction[] fns, MemorySegment... records) {
        List<Session> out = new ArrayList<>();
        SessionAssembler asm = new SessionAssembler(fns, out::add);
        for (MemorySegment r : records) asm.accept(r);
        assertEquals(0, asm.badRecords());
        return out;
    }

    @Test
    void injectedProbesAreLeavesOfTheCallTheyFiredIn() {
        try (Arena a = Arena.ofConfined()) {
            List<long[]> ev = new ArrayList<>(blogEvents());
            ev.add(4, ev(4, 2, PROBE, T0 + 188_600, 0)); // after bpf_prog_array_compatible returned false
            ev.add(2, ev(3, 2, PROBE, T0 + 60_000, 0xffffffff81210009L)); // inside bpf_fd_array_map_update_elem
            List<Session> s = assemble(withProbes(), sessionRecord(a, 151, T0, FAILED, 0, ev));
            assertEquals(1, s.size());
            assertEquals(String.join("\n",
                    "FUNCTION CALL TRACE                             RESULT      DURATION",
                    "---------------------------------------------   ---------  ---------",
                    "→ __x64_sys_bpf                                                     ",
                    "    → bpf_fd_array_map_update_elem                                  ",
                    "        ◎ kprobe:bpf_prog_test_run_xdp+0x9                          ",
                    "        ↔ bpf_prog_array_compatible             [false]     88.500us",
                    "        ◎ kretprobe:bpf_prog_array_compatible   [false]             ",
                    "    ← bpf_fd_array_map_update_elem              [-EINVAL]  556.290us",
                    "← __x64_sys_bpf                                 [-EINVAL]  661.570us") + "\n",
                    new SessionFormat(Kallsyms.parse(KALLSYMS), null).traceTable(s.getFirst()));
            // The probes are no part of the error: the stack and the error call are the blog's.
            assertEquals("bpf_fd_array_map_update_elem", s.getFirst().errorCall().function().name());
            Object calls = new SessionFormat(null, null).json(s.getFirst()).get("calls");
            assertTrue(calls.toString().contains("probe=kprobe:bpf_prog_test_run_xdp+0x9"), calls.toString());
        }
    }

    static MemorySegment argsRecord(Arena a, int tid, long start, int chunk, byte[] data) {
        return argsRecord(a, tid, start, chunk, 0, data);
    }

    /** struct args_rec: data goes at {@code offset} among the chunk's arguments. */
    static MemorySegment argsRecord(Arena a, int tid, long start, int chunk, int offset, byte[] data) {
        MemorySegment r = a.allocate(SessionAssembler.ARGS_HDR + data.length, 8);
        r.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_ARGS);
        r.set(JAVA_INT_UNALIGNED, 4, tid);
        r.set(JAVA_LONG_UNALIGNED, 8, start);
        r.set(JAVA_INT_UNALIGNED, 16, chunk);
        r.set(JAVA_SHORT_UNALIGNED, 20, (short) data.length);
        r.set(JAVA_SHORT_UNALIGNED, 22, (short) offset);
        MemorySegment.copy(data, 0, r, JAVA_BYTE, SessionAssembler.ARGS_HDR, data.length);
        return r;
    }

    @Test
    void capturedArgumentsPrintBesideTheirCallsInEachForm() {
        Btf btf = HostBtf.read();
        // bpf_fd_array_map_update_elem(map, map_file, key, value, map_flags) with the blog's map.
        ArgLayout upd = ArgLayout.of(btf, ReturnKind.proto(btf, "bpf_fd_array_map_update_elem").orElseThrow(), ArgLayout.Limits.DEFAULT, true);
        TracedFunction[] fns = FNS.clone();
        fns[1] = fns[1].withArgs(upd);
        int mapRead = (int) Math.min(256, btf.sizeOf(btf.findByName("bpf_map", io.bpf4j.btf.BtfKind.STRUCT).orElseThrow()));
        byte[] map = ArgLayoutTest.bpfMapIn(btf, mapRead, 3 /* BPF_MAP_TYPE_PROG_ARRAY */, 4, 4, 1, 14, "progs");
        byte[] capture = new ArgLayoutTest.Capture(0xffff888004a00000L, 0, 0xffffc90000123000L, 0xffffc90000123010L, 0)
                .read(0, ArgLayout.AK_BYTES, map, mapRead)
                .read(2, ArgLayout.AK_SIZED, new byte[] {0, 0, 0, 0}, 4)
                .read(3, ArgLayout.AK_SIZED, new byte[] {5, 0, 0, 0}, 4)
                .bytes();
        byte[] area = new byte[8 + capture.length];
        System.arraycopy(capture, 0, area, 8, capture.length); // the call's capture at offset 8 of its chunk's area
        List<long[]> ev = new ArrayList<>(blogEvents());
        ev.set(1, ev(1, 1, SessionAssembler.EV_ARGS | (1 << SessionAssembler.EV_ARGS_SHIFT), T0 + 50_000, 0));
        try (Arena a = Arena.ofConfined()) {
            Session s = assemble(fns, argsRecord(a, 151, T0, 0, area), sessionRecord(a, 151, T0, FAILED, 0, ev)).getFirst();
            Call u = s.root().children().getFirst();
            assertTrue(u.hasArgs());
            // The BPF side ships each capture on its own, at its offset among its chunk's: the
            // same session from two of them, after the arguments of an earlier session of the
            // thread that was never shipped (it succeeded), which leave nothing behind.
            List<Session> split = new ArrayList<>();
            SessionAssembler asm = new SessionAssembler(fns, split::add);
            for (MemorySegment r : List.of(argsRecord(a, 151, T0 - 9_000, 0, 0, capture), argsRecord(a, 151, T0, 0, 0, new byte[8]),
                    argsRecord(a, 151, T0, 0, 8, capture), sessionRecord(a, 151, T0, FAILED, 0, ev)))
                asm.accept(r);
            assertEquals(0, asm.badRecords());
            assertEquals(0, asm.pending(), "the unshipped session's arguments are dropped");
            assertEquals(u.args(ArgLayout.Style.COMPACT, 0), split.getFirst().root().children().getFirst().args(ArgLayout.Style.COMPACT, 0));
            // A struct bpf_map larger than the 256 bytes read ends in "…" (6.x kernels).
            boolean cut = btf.sizeOf(btf.findByName("bpf_map", io.bpf4j.btf.BtfKind.STRUCT).orElseThrow()) > mapRead;
            String mapText = "map=&{.map_type=BPF_MAP_TYPE_PROG_ARRAY,.key_size=4,.value_size=4,.max_entries=1,.id=14,.name='progs'"
                    + (cut ? ",…" : "") + "}";
            assertEquals(List.of(mapText, "map_file=NULL", "key=&[00 00 00 00]", "value=&[05 00 00 00]", "map_flags=0"),
                    u.args(ArgLayout.Style.COMPACT, 0));
            String table = new SessionFormat(Kallsyms.parse(KALLSYMS), null).withArgs(ArgLayout.Style.COMPACT, 0).traceTable(s);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("    → bpf_fd_array_map_update_elem ") && l.endsWith("  " + mapText
                    + " map_file=NULL key=&[00 00 00 00] value=&[05 00 00 00] map_flags=0")), table);
            assertTrue(table.startsWith("FUNCTION CALL TRACE") && table.lines().findFirst().orElseThrow().endsWith("  ARGS (memory read at exit)"), table);
            String multi = new SessionFormat(Kallsyms.parse(KALLSYMS), null).withArgs(ArgLayout.Style.MULTILINE, 0).traceTable(s);
            assertTrue(multi.contains("\n" + " ".repeat(multi.indexOf("RESULT")) + "› key=&[00 00 00 00]\n"), multi);
            // In the error stack, beside the failing call's line.
            String stack = new SessionFormat(Kallsyms.parse(KALLSYMS), null).withArgs(ArgLayout.Style.COMPACT, 0).errorStack(s);
            assertTrue(stack.lines().anyMatch(l -> l.startsWith("!  556us [-EINVAL]  bpf_fd_array_map_update_elem") && l.contains("    " + mapText)), stack);
            assertEquals(List.of(mapText.substring(0, 30) + "…", "map_file=NULL", "key=&[00 00 00 00]", "value=&[05 00 00 00]", "map_flags=0"),
                    u.args(ArgLayout.Style.COMPACT, 30));
            // The buffered writer (the tracer's hot path) prints what the reference renderer
            // prints, in every form, for this session and for one with a kernel stack.
            long[] ips = {0xffffffffa0001040L, 0xffffffffa0000020L, 0xffffffff81210005L, 0xffffffff812027a8L,
                    0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000067L};
            Session withStack = assemble(fns, argsRecord(a, 152, T0, 0, area), stackRecord(a, 152, T0, 4, ips),
                    sessionRecord(a, 152, T0, FAILED, 0, ev)).getFirst();
            for (Session x : List.of(s, withStack)) {
                for (ArgLayout.Style st : ArgLayout.Style.values()) {
                    for (int w : new int[] {0, 30}) {
                        SessionFormat f = new SessionFormat(Kallsyms.parse(KALLSYMS), addr -> "kernel/x.c:" + (addr & 0xff)).withArgs(st, w);
                        for (boolean withTable : new boolean[] {false, true}) {
                            String want = SessionFormatTest.reference(f, x, withTable, true);
                            assertTrue(want.contains("&[00 00 00 00]"), want);
                            assertEquals(want, f.format(x, withTable, true), st + ", width " + w + ", table " + withTable);
                        }
                    }
                }
            }
        }
    }

    /** A stack taken at the entry of the session's root (a kprobe on 5.10), and each call's return address. */
    @Test
    void anEntryStackIsStitchedWithTheCallsReturnAddresses() {
        try (Arena a = Arena.ofConfined()) {
            List<long[]> ev = new ArrayList<>(blogEvents());
            ev.set(1, ev(1, 1, 0, T0 + 50_000, 0xffffffff812027a8L)); // called from __do_sys_bpf+0x17a8
            ev.set(2, ev(2, 2, 0, T0 + 100_000, 0xffffffff81210037L)); // called from bpf_fd_array_map_update_elem+0x37
            long[] entry = {0xffffffff81200005L, 0xffffffff81100033L, 0xffffffff81000044L};
            Session s = assemble(FNS, stackRecord(a, 151, T0, (int) SessionAssembler.STACK_AT_ENTRY, entry),
                    sessionRecord(a, 151, T0, FAILED, 0, ev)).getFirst();
            assertTrue(s.stackAtEntry());
            assertEquals(String.join("\n",
                    "                    entry_SYSCALL_64_after_hwframe+0x44  ",
                    "                    do_syscall_64+0x33                   ",
                    "   661us [-EINVAL]  __x64_sys_bpf+0x5                    ",
                    " ⌇                  __do_sys_bpf+0x17a8                  ",
                    " ⌇ 556us [-EINVAL]  bpf_fd_array_map_update_elem+0x0     ",
                    "   (⌇ stitched: the stack above __x64_sys_bpf was taken at its entry, the frames below it are the recorded calls' return addresses)")
                    + "\n", new SessionFormat(Kallsyms.parse(KALLSYMS), null).errorStack(s));
            // The writer takes the same path for it.
            assertTrue(new SessionFormat(Kallsyms.parse(KALLSYMS), null).format(s, false, true).contains(" ⌇                  __do_sys_bpf+0x17a8"));
        }
    }

    /** Only return addresses were recorded (no stack at all): the root's own starts the stack. */
    @Test
    void returnAddressesAloneMakeAStack() {
        try (Arena a = Arena.ofConfined()) {
            List<long[]> ev = new ArrayList<>(blogEvents());
            ev.set(0, ev(0, 0, 0, T0, 0xffffffff81100033L)); // called from do_syscall_64+0x33
            ev.set(1, ev(1, 1, 0, T0 + 50_000, 0xffffffff812027a8L));
            Session s = assemble(FNS, stackRecord(a, 151, T0, (int) SessionAssembler.STACK_AT_ENTRY),
                    sessionRecord(a, 151, T0, FAILED, 0, ev)).getFirst();
            assertEquals(String.join("\n",
                    " ⌇                  do_syscall_64+0x33                ",
                    " ⌇ 661us [-EINVAL]  __x64_sys_bpf+0x0                 ",
                    " ⌇                  __do_sys_bpf+0x17a8               ",
                    " ⌇ 556us [-EINVAL]  bpf_fd_array_map_update_elem+0x0  ",
                    "   (⌇ stitched from the recorded calls' return addresses)") + "\n",
                    new SessionFormat(Kallsyms.parse(KALLSYMS), null).errorStack(s));
        }
    }

    static MemorySegment lbrRecord(Arena a, int tid, long start, int size, long... fromTo) {
        MemorySegment r = a.allocate(SessionAssembler.LBR_HDR + 8L * fromTo.length / 2 * 3, 8);
        r.set(JAVA_INT_UNALIGNED, 0, SessionAssembler.REC_LBR);
        r.set(JAVA_INT_UNALIGNED, 4, tid);
        r.set(JAVA_LONG_UNALIGNED, 8, start);
        r.set(JAVA_INT_UNALIGNED, 16, size);
        for (int i = 0; i < fromTo.length / 2; i++) {
            r.set(JAVA_LONG_UNALIGNED, SessionAssembler.LBR_HDR + 24L * i, fromTo[2 * i]);
            r.set(JAVA_LONG_UNALIGNED, SessionAssembler.LBR_HDR + 24L * i + 8, fromTo[2 * i + 1]);
        }
        return r;
    }

    /**
     * A branch snapshot as bpf_get_branch_snapshot writes it (struct perf_branch_entry, newest
     * first): the newest records are the tracer's own (its BPF program, the trampoline), cut;
     * the rest print oldest first.
     */
    @Test
    void aBranchSnapshotPrintsOldestFirstWithoutTheTracersOwnBranches() {
        long[] sample = {
                0xffffffffa0001010L, 0xffffffffa0001080L, // #00 inside the tracer's BPF program
                0xffffffffa0000020L, 0xffffffffa0001000L, // #01 trampoline -> program
                0xffffffff81220040L, 0xffffffff81210050L, // #02 bpf_prog_array_compatible returns into the update
                0xffffffff81210030L, 0xffffffff81220000L, // #03 the update calls bpf_prog_array_compatible
                0xffffffff812027a0L, 0xffffffff81210000L, // #04 __do_sys_bpf calls the update
        };
        try (Arena a = Arena.ofConfined()) {
            Session s = assemble(FNS, lbrRecord(a, 151, T0, 5 * 24, sample), stackRecord(a, 151, T0, 4, 0xffffffffa0000010L),
                    sessionRecord(a, 151, T0, FAILED, 0, blogEvents())).getFirst();
            assertEquals(15, s.lbr().length);
            assertEquals(String.join("\n",
                    "[#04] __do_sys_bpf+0x17a0                ->  bpf_fd_array_map_update_elem+0x0",
                    "[#03] bpf_fd_array_map_update_elem+0x30  ->  bpf_prog_array_compatible+0x0",
                    "[#02] bpf_prog_array_compatible+0x40     ->  bpf_fd_array_map_update_elem+0x50") + "\n",
                    new SessionFormat(Kallsyms.parse(KALLSYMS), null).lbr(s));
            String all = new SessionFormat(Kallsyms.parse(KALLSYMS), null).format(s, false, true);
            assertTrue(all.contains("[#02] bpf_prog_array_compatible+0x40"), all);
            assertEquals(List.of("[#02] bpf_prog_array_compatible+0x40  ->  bpf_fd_array_map_update_elem+0x50"),
                    new SessionFormat(Kallsyms.parse(KALLSYMS), null).withLbrMax(1).lbr(s).lines().toList(), "--lbr-max 1: the newest relevant record");
            // The helper's refusal (no LBR on this CPU) is said once, not printed as an empty table.
            Session none = assemble(FNS, lbrRecord(a, 152, T0, -2), sessionRecord(a, 152, T0, FAILED, 0, blogEvents())).getFirst();
            assertEquals("[LBR] no branch records: bpf_get_branch_snapshot returned -ENOENT\n", new SessionFormat(null, null).lbr(none));
        }
    }
}
