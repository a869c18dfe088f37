package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.KernelRelease;
import io.bpf4j.kernel.Kallsyms;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.ProgramSpec;
import io.bpf4j.tools.ToolObjects;
import io.bpf4j.tools.kmem.Kcore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;
import io.bpf4j.features.KernelFeature;
import io.bpf4j.fixtures.Assume;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The second step of {@code bpf4j trace} on real kernels: arguments captured (-A),
 * sessions filtered in BPF (--filter-arg), injected probes (-J) and BPF programs as traced
 * functions (bpf:ID, bpf:GLOB). Every workload is the test's own, so every expected value is
 * known: map ids, keys, program return values.
 */
@Tag("kernel")
class TraceFeaturesKernelTest {
    static TraceableFunctions universe;

    @BeforeAll
    static void functions() {
        universe = TraceableFunctions.load();
    }

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Runs {@code work} on a new thread; returns its tid. */
    static int onThread(Runnable work) throws InterruptedException {
        AtomicInteger tid = new AtomicInteger();
        List<Throwable> errors = new ArrayList<>();
        Thread t = new Thread(() -> {
            tid.set(TraceKernelTest.tid());
            try {
                work.run();
            } catch (Throwable e) {
                errors.add(e);
            }
        }, "workload");
        t.start();
        t.join();
        if (!errors.isEmpty()) throw new AssertionError(errors.getFirst());
        return tid.get();
    }

    /** Attaches, runs the work on one thread, and returns that thread's sessions; nothing may be lost. */
    static List<Session> trace(FunctionSelector sel, TraceOptions opts, Runnable work) throws Exception {
        FunctionSelector.Selection s = sel.select(universe);
        List<Session> out = new ArrayList<>();
        try (Tracer t = Tracer.attach(s, opts)) {
            assertEquals(List.of(), t.skipped(), "every selected function attaches");
            int tid = onThread(work);
            Consumer<Session> mine = x -> { if (x.tid() == tid) out.add(x); };
            t.drain(mine);
            t.poll(mine, 50);
            Tracer.Stats st = t.stats();
            assertEquals(0, st.droppedRecords(), "ring buffer drops");
            assertEquals(0, st.lostSessions(), "lost sessions");
            assertEquals(0, st.badRecords(), "malformed records");
        }
        return out;
    }

    static TraceOptions mode(AttachMode m) {
        // Skips where kprobe.multi may be missing (before 5.18, or Debian 6.1's kernel without CONFIG_FPROBE).
        if (m == AttachMode.MULTI) Assume.assumeSupported(KernelFeature.KPROBE_MULTI);
        return TraceOptions.defaults().withMode(m).withRingBufBytes(1 << 22);
    }

    /** As {@link #trace}; skips kprobe.multi where the kernel may lack it (the cached probe decides). */
    static List<Session> traceIn(AttachMode m, FunctionSelector sel, TraceOptions opts, Runnable work) throws Exception {
        if (m == AttachMode.MULTI) Assume.assumeSupported(KernelFeature.KPROBE_MULTI);
        return trace(sel, opts, work);
    }

    /** {@code name=value} of each captured argument, compact and uncut. */
    static Map<String, String> args(Call c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : c.args(ArgLayout.Style.COMPACT, 0)) {
            int eq = a.indexOf('=');
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return m;
    }

    /** The top-level {@code .field=value} pairs of a rendered struct {@code &{...}}. */
    static Map<String, String> fields(String struct) {
        assertTrue(struct.startsWith("&{") && struct.endsWith("}"), struct);
        Map<String, String> m = new LinkedHashMap<>();
        String body = struct.substring(2, struct.length() - 1);
        int depth = 0, start = 0;
        boolean quote = false;
        for (int i = 0; i <= body.length(); i++) {
            char ch = i < body.length() ? body.charAt(i) : ',';
            if (ch == '\'' && (i == 0 || body.charAt(i - 1) != '\\')) quote = !quote;
            if (quote) continue;
            if (ch == '{' || ch == '[') depth++;
            if (ch == '}' || ch == ']') depth--;
            if (ch == ',' && depth == 0) {
                String f = body.substring(start, i);
                int eq = f.indexOf('=');
                if (f.startsWith(".") && eq > 0) m.put(f.substring(1, eq), f.substring(eq + 1));
                start = i + 1;
            }
        }
        return m;
    }

    static final int GOOD = 6, BAD = 4;

    /**
     * bpf() lookups on a map whose id, type, sizes, name and keys the test chose: each call of
     * bpf_map_copy_value shows exactly that map, that key (read with the map's key_size) and flags 0.
     * The failing lookups (key 9 is past max_entries: -ENOENT) are the default's sessions; -S adds the rest.
     */
    @ParameterizedTest
    @EnumSource(AttachMode.class)
    void argumentsOfEveryCallAreTheOnesTheWorkloadPassed(AttachMode m) throws Exception {
        try (BpfMap map = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("bpf4j_args"))) {
            map.update(u32(2), u64(0x1122334455667788L), BpfMap.ANY);
            List<Session> got = traceIn(m, new FunctionSelector().entry("bpf_map_copy_value"),
                    mode(m).withArgs(ArgLayout.Limits.DEFAULT).withEmitAll(true), () -> {
                        for (int i = 0; i < GOOD; i++) assertTrue(map.lookup(u32(2)).isPresent());
                        for (int i = 0; i < BAD; i++) assertTrue(map.lookup(u32(9)).isEmpty());
                    });
            assertEquals(GOOD + BAD, got.size(), "one session per lookup");
            int failed = 0;
            for (Session s : got) {
                Call c = s.root();
                assertTrue(c.hasArgs(), "arguments captured for " + c);
                Map<String, String> a = args(c);
                assertEquals(List.of("map", "key", "value", "flags"), List.copyOf(a.keySet()), a.toString());
                Map<String, String> f = fields(a.get("map"));
                assertEquals("BPF_MAP_TYPE_ARRAY", f.get("map_type"), a.get("map"));
                assertEquals("4", f.get("key_size"), a.get("map"));
                assertEquals("8", f.get("value_size"), a.get("map"));
                assertEquals("4", f.get("max_entries"), a.get("map"));
                assertEquals(Integer.toString(map.id()), f.get("id"), a.get("map"));
                assertEquals("'bpf4j_args'", f.get("name"), a.get("map"));
                assertEquals("0", a.get("flags"));
                assertTrue(a.get("value").matches("&\\[([0-9a-f]{2} ){7}[0-9a-f]{2}\\]"), "8 bytes: " + a.get("value"));
                if (s.failed()) {
                    failed++;
                    assertEquals("&[09 00 00 00]", a.get("key"));
                    assertEquals("-ENOENT", c.resultText());
                } else {
                    assertEquals("&[02 00 00 00]", a.get("key"));
                    assertEquals("0", c.resultText());
                    // Read at exit: the value the lookup copied out, little-endian.
                    assertEquals("&[88 77 66 55 44 33 22 11]", a.get("value"));
                }
            }
            assertEquals(BAD, failed);
            // The trace table shows them in its ARGS column, and when the memory was read.
            String table = new SessionFormat(Kallsyms.load(), null).withArgs(ArgLayout.Style.COMPACT, 0).traceTable(got.getFirst());
            assertTrue(table.contains("ARGS (memory read at exit)") && table.contains(".name='bpf4j_args'"), table);
        }
    }

    /**
     * Without every call asked for (and without -S), only the calls on the error's path carry
     * arguments: in the session of a failing lookup, __x64_sys_bpf and bpf_map_copy_value (both
     * -ENOENT) have theirs, with the key read at exit; security_bpf, which returned 0 inside the
     * same call, has none. Asking for every call captures security_bpf's too.
     */
    @ParameterizedTest
    @EnumSource(value = AttachMode.class, names = {"MULTI", "KPROBE"})
    void onlyTheCallsOnTheErrorPathCarryArguments(AttachMode m) throws Exception {
        try (BpfMap map = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("bpf4j_path"))) {
            FunctionSelector sel = new FunctionSelector().entry("__x64_sys_bpf").allow("bpf_map_copy_value").allow("security_bpf");
            Runnable work = () -> {
                for (int i = 0; i < 3; i++) assertTrue(map.lookup(u32(9)).isEmpty());
            };
            for (boolean every : new boolean[] {false, true}) {
                List<Session> got = traceIn(m, sel, mode(m).withArgs(new ArgLayout.Limits(3072, 256, every)), work);
                assertEquals(3, got.size(), "one session per failing lookup");
                for (Session s : got) {
                    Call root = s.root();
                    assertEquals("__x64_sys_bpf", root.function().name());
                    assertEquals("-ENOENT", root.resultText());
                    Call copy = find(root, "bpf_map_copy_value"), lsm = find(root, "security_bpf");
                    assertEquals("-ENOENT", copy.resultText());
                    assertEquals("0", lsm.resultText());
                    assertTrue(root.hasArgs(), "the failing syscall's arguments");
                    assertEquals("&[09 00 00 00]", args(copy).get("key"));
                    assertEquals("'bpf4j_path'", fields(args(copy).get("map")).get("name"));
                    assertEquals(every, lsm.hasArgs(), "security_bpf returned 0: its arguments only when every call's are asked for");
                    if (every) assertEquals("1", args(lsm).get("cmd"), "BPF_MAP_LOOKUP_ELEM (int cmd): " + args(lsm));
                }
            }
        }
    }

    /** The first call of the function in the tree under c (c itself included). */
    static Call find(Call c, String function) {
        if (c.function().name().equals(function)) return c;
        for (Call k : c.children()) {
            Call f = find(k, function);
            if (f != null) return f;
        }
        return null;
    }

    /**
     * --filter-arg, evaluated in BPF at the entry: of lookups on three maps, exactly the ones on
     * the hash map or on the map with the chosen id become sessions.
     */
    @ParameterizedTest
    @EnumSource(AttachMode.class)
    void aFilterKeepsExactlyTheSessionsItDescribes(AttachMode m) throws Exception {
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("bpf4j_fa"));
             BpfMap b = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("bpf4j_fb"));
             BpfMap h = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 4).withName("bpf4j_fh"))) {
            ArgFilter f = ArgFilter.parse("map->map_type == BPF_MAP_TYPE_HASH || (map->id == " + a.id() + " && key != NULL)");
            Runnable work = () -> {
                for (int i = 0; i < 3; i++) a.lookup(u32(9));
                for (int i = 0; i < 5; i++) b.lookup(u32(9));
                for (int i = 0; i < 2; i++) h.lookup(u32(1));
            };
            // With -A, each session names its map.
            List<Session> got = traceIn(m, new FunctionSelector().entry("bpf_map_copy_value"),
                    mode(m).withFilter(f).withEmitAll(true).withArgs(ArgLayout.Limits.DEFAULT), work);
            List<String> names = got.stream().map(s -> fields(args(s.root()).get("map")).get("name")).toList();
            assertEquals(List.of("'bpf4j_fa'", "'bpf4j_fa'", "'bpf4j_fa'", "'bpf4j_fh'", "'bpf4j_fh'"), names);
            // Without -A the filter still reads the arguments; the sessions carry none.
            List<Session> plain = traceIn(m, new FunctionSelector().entry("bpf_map_copy_value"), mode(m).withFilter(f).withEmitAll(true), work);
            assertEquals(5, plain.size(), "3 on bpf4j_fa and 2 on bpf4j_fh, none of the 5 on bpf4j_fb");
            assertEquals(List.of("-ENOENT", "-ENOENT", "-ENOENT", "-ENOENT", "-ENOENT"), plain.stream().map(s -> s.root().resultText()).toList());
            for (Session s : plain) assertFalse(s.root().hasArgs());
        }
    }

    /** The instruction after the function's fentry call: an offset a kprobe accepts inside it. */
    static long afterFentry(String function) {
        Kallsyms ks = Kallsyms.load();
        long addr = ks.first(function).orElseThrow().address();
        byte[] b = new byte[16];
        try (Kcore k = Kcore.open()) {
            k.read(addr, b, 0, b.length);
        }
        int off = 0;
        if ((b[0] & 0xff) == 0xf3 && (b[1] & 0xff) == 0x0f && (b[2] & 0xff) == 0x1e && (b[3] & 0xff) == 0xfa) off = 4; // endbr64
        int op = b[off] & 0xff;
        assertTrue(op == 0xe8 || op == 0x0f || op == 0x66, function + ": no 5-byte call or nop at +" + off + ": " + java.util.HexFormat.of().formatHex(b));
        return off + 5;
    }

    static ObjectSpec targets() {
        try (InputStream in = TraceFeaturesKernelTest.class.getResourceAsStream("/io/bpf4j/tools/bpf/trace_targets.bpf.o")) {
            return ObjectSpec.read(in, "trace_targets.bpf.o");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static final byte[] PACKET = new byte[64];

    /**
     * An injected kprobe inside bpf_prog_test_run_xdp (past its entry) and the bpf_trace_printk
     * tracepoint, with the bpf() syscall as the entry: both show, with the tracepoint's string,
     * in the session of the BPF_PROG_TEST_RUN call that runs a program calling bpf_printk, and in
     * no session of the lookups around it.
     */
    @Test
    void injectedProbesShowInTheSessionWhereTheyFired() throws Exception {
        long off = afterFentry("bpf_prog_test_run_xdp");
        String kp = "kprobe:bpf_prog_test_run_xdp+" + off;
        try (BpfObject o = BpfObject.load(targets()); BpfMap map = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 1))) {
            BpfProgram printk = o.program("tt_printk");
            List<Session> got = trace(new FunctionSelector().entry("__x64_sys_bpf"),
                    TraceOptions.defaults().withEmitAll(true).withArgs(ArgLayout.Limits.DEFAULT).withRingBufBytes(1 << 22)
                            .withProbes(List.of(kp, "tp:bpf_trace:bpf_trace_printk")), () -> {
                        map.lookup(u32(7));
                        assertEquals(2, printk.testRun(PACKET, 1).retval());
                        map.lookup(u32(7));
                    });
            assertEquals(3, got.size(), "lookup, test run, lookup: " + got.stream().map(s -> TraceKernelTest.names(s.root())).toList());
            for (int i : new int[] {0, 2}) assertTrue(got.get(i).root().children().isEmpty(), TraceKernelTest.names(got.get(i).root()));
            List<Call> probes = got.get(1).root().children();
            assertEquals(List.of("kprobe:bpf_prog_test_run_xdp+0x" + Long.toHexString(off), "tp:bpf_trace:bpf_trace_printk"),
                    probes.stream().map(c -> c.function().name()).toList());
            assertTrue(probes.stream().allMatch(Call::probe));
            Map<String, String> tp = args(probes.get(1));
            assertEquals("'bpf4j probe 42'", tp.get("bpf_string").replace("\\n", ""), tp.toString());
            Map<String, String> regs = args(probes.get(0));
            assertTrue(regs.get("regs").startsWith("&{") || regs.get("regs").startsWith("{"), regs.toString());
            String table = new SessionFormat(Kallsyms.load(), null).traceTable(got.get(1));
            assertTrue(table.contains("    ◎ tp:bpf_trace:bpf_trace_printk"), table);
        }
    }

    /** The tail call's target in the prog array, for the tests below. */
    static void link(BpfObject o) {
        o.map("jmp").update(u32(0), u32(o.program("tt_target").fd().raw()), BpfMap.ANY);
    }

    /**
     * An XDP program run by BPF_PROG_TEST_RUN traced by program id: its fexit sees the result of
     * the program it tail-called (XDP_TX), and the tail-called program's subprogram (fentry
     * fires on it; a tail call itself enters past the trampoline) shows under it, with its
     * argument and result.
     */
    @Test
    void aBpfProgramAndItsTailCallAreTracedById() throws Exception {
        try (BpfObject o = BpfObject.load(targets())) {
            link(o);
            BpfProgram entry = o.program("tt_entry");
            int entryId = entry.id(), targetId = o.program("tt_target").id();
            List<Session> got = trace(new FunctionSelector().entry("bpf:" + entryId).allow("bpf:" + targetId),
                    TraceOptions.defaults().withEmitAll(true).withArgs(ArgLayout.Limits.DEFAULT).withRingBufBytes(1 << 22), () -> {
                        for (int i = 0; i < 3; i++) assertEquals(3, entry.testRun(PACKET, 1).retval(), "XDP_TX through the tail call");
                    });
            assertEquals(3, got.size());
            for (Session s : got) {
                assertEquals("bpf:" + entryId + ":tt_entry[3](bpf:" + targetId + ":target_sub[3])", TraceKernelTest.names(s.root()));
                assertEquals(Map.of("v", "64"), args(s.root().children().getFirst()));
            }
        }
    }

    @Test
    void theSameProgramsAreFoundByNameGlob() throws Exception {
        try (BpfObject o = BpfObject.load(targets())) {
            link(o);
            BpfProgram entry = o.program("tt_entry");
            int entryId = entry.id(), targetId = o.program("tt_target").id();
            List<Session> got = trace(new FunctionSelector().entry("bpf:tt_en*").allow("bpf:target_*"),
                    TraceOptions.defaults().withEmitAll(true).withRingBufBytes(1 << 22), () -> {
                        for (int i = 0; i < 2; i++) assertEquals(3, entry.testRun(PACKET, 1).retval());
                    });
            assertEquals(2, got.size());
            for (Session s : got)
                assertEquals("bpf:" + entryId + ":tt_entry[3](bpf:" + targetId + ":target_sub[3])", TraceKernelTest.names(s.root()));
        }
    }

    /**
     * A function of a module, named as {@code 'func [module]'}: the lab's root is a 9p mount, so
     * looking up a path that does not exist walks it with 9pnet's p9_client_walk, which returns
     * ERR_PTR(-ENOENT). With -A its arguments are typed by the module's own BTF.
     */
    @ParameterizedTest
    @EnumSource(value = AttachMode.class, names = {"MULTI", "KPROBE"})
    void aModuleFunctionIsTracedByItsModulePattern(AttachMode m) throws Exception {
        assumeTrue(universe.functions().stream().anyMatch(f -> f.name().equals("p9_client_walk") && "9pnet".equals(f.module())),
                "9pnet is not loaded: the lab's root is a 9p mount, so it is there");
        Path here = Path.of(System.getProperty("java.home"));
        List<Session> got = traceIn(m, new FunctionSelector().entry("p9_client_walk [9pnet]"), mode(m).withArgs(ArgLayout.Limits.DEFAULT), () -> {
            for (int i = 0; i < 3; i++) assertFalse(Files.exists(here.resolve("bpf4j-no-such-file-" + System.nanoTime())));
        });
        assertFalse(got.isEmpty(), "the 9p lookups of missing files fail in p9_client_walk");
        for (Session s : got) {
            assertEquals("p9_client_walk", s.root().function().name());
            assertEquals("9pnet", s.root().function().function().module());
            assertEquals("-ENOENT", s.root().resultText());
            Map<String, String> a = args(s.root());
            if (Files.exists(Path.of("/sys/kernel/btf/9pnet"))) {
                assertEquals("1", a.get("nwname"), "one path component per walk: " + a);
                assertTrue(a.get("oldfid").startsWith("&{"), "struct p9_fid from 9pnet's BTF: " + a);
            } else {
                // No module BTF before 5.11 (CONFIG_DEBUG_INFO_BTF_MODULES): the registers, raw.
                assertFalse(KernelRelease.running().atLeast(5, 11), "module BTF exists from 5.11");
                assertEquals("1", a.get("arg1"), "one path component per walk: " + a);
                assertEquals(List.of("arg0", "arg1", "arg2", "arg3", "arg4", "arg5"), List.copyOf(a.keySet()));
            }
        }
    }

    /**
     * -K's error stack reaches the syscall entry on every kernel. Before 5.15 a kretprobe's stack
     * is the trampoline alone, so the stack taken at the session's entry is continued with the
     * failing call's return address (the frame it was called from) and the call, marked ⌇.
     */
    @Test
    void kprobeErrorStacksReachTheSyscallEntry() throws Exception {
        try (BpfMap map = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 1))) {
            List<Session> got = trace(new FunctionSelector().entry("__x64_sys_bpf").allow("bpf_map_copy_value"),
                    TraceOptions.defaults().withMode(AttachMode.KPROBE).withRingBufBytes(1 << 22), () -> {
                        for (int i = 0; i < 2; i++) assertTrue(map.lookup(u32(5)).isEmpty());
                    });
            assertEquals(2, got.size());
            Session s = got.getFirst();
            assertEquals("bpf_map_copy_value", s.errorCall().function().name(), "the deepest failing call");
            String text = new SessionFormat(Kallsyms.load(), null).errorStack(s);
            assertTrue(text.contains("do_syscall_64+0x"), text);
            boolean stitched = !KernelRelease.running().atLeast(5, 15);
            assertEquals(stitched, s.stackAtEntry(), text);
            if (stitched) {
                assertTrue(text.contains("entry_SYSCALL_64"), "the frames above the entry function, from its entry's stack: " + text);
                // The failing call and the frame it was called from (the bpf syscall's body), from its return address.
                assertTrue(text.lines().anyMatch(l -> l.startsWith(" ⌇ ") && l.contains("[-ENOENT]  bpf_map_copy_value+0x0")), text);
                assertTrue(text.lines().anyMatch(l -> l.startsWith(" ⌇ ") && l.contains("sys_bpf+0x")), text);
            } else {
                assertFalse(text.contains("⌇"), text);
            }
        }
    }

    /** Every program of trace.bpf.o, tracing ones included, passes this kernel's verifier with every option on. */
    @Test
    void everyTracerProgramVerifiesWithEveryOptionOn() {
        for (int stacks : new int[] {0, 1, 2}) {
            ObjectSpec spec = ToolObjects.spec(ToolObjects.TRACE);
            TraceOptions opts = TraceOptions.defaults().withArgs(ArgLayout.Limits.DEFAULT).withRingBufBytes(1 << 16).withMaxSessions(16)
                    .withLbr(KernelRelease.running().atLeast(5, 16) ? "any_return" : null);
            Tracer.configure(spec, new TracedFunction[0], opts, stacks);
            List<String> want = new ArrayList<>();
            for (ProgramSpec p : List.copyOf(spec.programs())) {
                // As the tracer loads them: kprobe.multi from 5.18, sessions from 6.10, BPF cookies from 5.15.
                boolean multi = p.sectionName().startsWith("kprobe.multi") || p.sectionName().startsWith("kretprobe.multi");
                boolean session = p.sectionName().equals("kprobe.session");
                boolean cookie = p.name().endsWith("_cookie");
                boolean load = (!multi || KernelRelease.running().atLeast(5, 18)) && (!session || KernelRelease.running().atLeast(6, 10))
                        && (!cookie || KernelRelease.running().atLeast(5, 15));
                spec.updateProgram(p.name(), x -> x.withAutoload(load));
                if (p.sectionName().equals("fentry") || p.sectionName().equals("fexit"))
                    spec.updateProgram(p.name(), x -> x.withAttachTarget("bpf_map_copy_value"));
                if (load) want.add(p.name());
            }
            try (BpfObject o = BpfObject.load(spec)) {
                assertEquals(want.size(), o.programs().size(), "entry_stacks=" + stacks);
            }
        }
    }
}
