package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.FdInfo;
import io.bpf4j.LinkInfo;
import io.bpf4j.LinkType;
import io.bpf4j.MapInfo;
import io.bpf4j.MapType;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgArray;
import io.bpf4j.ProgInfo;
import io.bpf4j.TaskFdQuery;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.cli.CliRun;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;
import io.bpf4j.link.Links;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.LoadOptions;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.tools.ToolObjects;
import io.bpf4j.tools.kmem.KernelBpf;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.bpf4j.cli.inspect.GraphCommandTest.edges;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code inspect graph} on the story's objects (the two objects of {@code scenario
 * tailcall-in-freplace}, loaded the way the scenario loads them): every edge of the DOT is
 * checked against what the kernel reports, read here by other means, in three states.
 *
 * <ol>
 * <li>Loaded: the extension's load-time target, {@code stub_handler} of {@code k_tcp_connect},
 *     as kernel memory has it ({@code aux->dst_prog}), and, without kernel memory, as prog info
 *     has it where it has {@code attach_btf_obj_id} (6.1: one BTF for both kprobe programs, so
 *     both are drawn as candidates; 5.10: not at all).</li>
 * <li>After the put of {@code k_tailcall} into {@code progs[0]}: the slot edge exactly when a
 *     lookup finds the program there (6.1: the put succeeds; 5.10: EINVAL, the story).</li>
 * <li>Attached: the extension on both kprobe programs through links (link info
 *     {@code target_obj_id} where the kernel has it, else the link in kernel memory), and the
 *     kprobes on their functions ({@code BPF_TASK_FD_QUERY} on this process's perf event fds;
 *     a perf-event link where the kernel attaches through one, 5.15+).</li>
 * </ol>
 * Kernels with 81f6d0530ba0 (v6.13, in 6.12.117) refuse the extension at load; there only the
 * kprobe edges are checked. The DOT and text of the last state are written to
 * {@code target/lab-graphs/} for looking at.
 */
@Tag("kernel")
class GraphKernelTest {
    static final String FUNCTION = "stub_handler";

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** The BTF id of function {@code fn} in the BTF the kernel holds for {@code prog}. */
    static int functionId(BpfProgram prog, String fn) {
        try (BtfHandle h = BtfHandle.fromId(prog.info().btfId())) {
            return Btf.parse(h.bytes()).findByName(fn, BtfKind.FUNC).orElseThrow().id();
        }
    }

    /** The DOT of the command, and what it printed on stderr (notes) after it, for failure messages. */
    record Dot(String out, String err) {
        @Override
        public String toString() {
            return out + err;
        }
    }

    static Dot dot(String source, int progId) {
        CliRun r = CliRun.of("inspect", "graph", "--format", "dot", "--source", source, String.valueOf(progId));
        assertEquals(0, r.exit(), r.err());
        return new Dot(r.out(), r.err());
    }

    /** "prog:A -> map:B [tail call]" for each map in the program's map_ids, as the kernel lists them. */
    static Set<String> mapEdges(ProgInfo... programs) {
        Set<String> s = new TreeSet<>();
        for (ProgInfo p : programs) {
            for (int id : p.mapIds()) {
                MapInfo mi;
                try (BpfMap m = BpfMap.fromId(id)) {
                    mi = m.info();
                }
                s.add("prog:" + p.id() + " -> map:" + id + (mi.type() == MapType.PROG_ARRAY ? " tail call" : ""));
            }
        }
        return s;
    }

    /** Edges whose label is one of {@code labels} (an edge without a label has "" as its label). */
    static Set<String> only(Set<String> edges, String... labels) {
        Set<String> out = new TreeSet<>();
        for (String e : edges) {
            String[] parts = e.split(" ", 4);
            String label = parts.length == 4 ? parts[3] : "";
            for (String l : labels) if (label.equals(l) || (l.equals("[slot]") && label.matches("\\[\\d+]"))) out.add(e);
        }
        return out;
    }

    @Test
    void theStorysEdgesAreTheOnesTheKernelReports() throws Exception {
        KernelRelease kr = KernelRelease.running();
        try (KernelBpf kb = KernelBpf.open();
             BpfObject tc = BpfObject.load(ToolObjects.spec(ToolObjects.TAILCALL_TCPCONN))) {
            BpfProgram kTcp = tc.program("k_tcp_connect"), kIcsk = tc.program("k_icsk_complete_hashdance");
            int funcId = functionId(kTcp, FUNCTION);
            ObjectSpec frSpec = ToolObjects.spec(ToolObjects.TAILCALL_FREPLACE);
            frSpec.updateProgram("freplace_handler", p -> p.withAttachTo(kTcp, FUNCTION));
            BpfObject fr;
            try {
                fr = BpfObject.load(frSpec, LoadOptions.defaults().replaceMap("socks", tc.map("socks")).replaceMap("events", tc.map("events")));
            } catch (BpfException e) {
                assertTrue(kr.atLeast(6, 12), "5.10 and 6.1 load the extension: " + e.getMessage());
                fr = null;
            }
            try (BpfObject frOwned = fr) {
                if (frOwned != null) loadedAndPut(kb, tc, frOwned, funcId);
                attached(kb, tc, frOwned, funcId, kr);
            }
        }
    }

    /** States 1 and 2. */
    void loadedAndPut(KernelBpf kb, BpfObject tc, BpfObject fr, int funcId) {
        BpfProgram kTcp = tc.program("k_tcp_connect"), kIcsk = tc.program("k_icsk_complete_hashdance");
        BpfProgram ext = fr.program("freplace_handler"), tail = fr.program("k_tailcall");
        BpfMap progs = fr.map("progs");
        ProgInfo ki = kTcp.info(), ii = kIcsk.info(), ei = ext.info(), ti = tail.info();

        // 1. The load-time target from kernel memory, read directly.
        var target = kb.prog(ei.id()).target().orElseThrow();
        int dst = target.dstProg().orElseThrow().id();
        assertEquals(ki.id(), dst, "aux->dst_prog is k_tcp_connect");
        assertEquals(funcId, target.attachBtfId());
        String func = "func:" + dst + ":" + target.attachBtfId();
        Dot loaded = dot("kcore", ei.id());
        Set<String> expected = mapEdges(ki, ii, ti, ei);
        expected.add("prog:" + dst + " -> " + func + " calls");
        expected.add(func + " -> prog:" + ei.id() + " freplace (not attached)");
        assertEquals(expected, edges(loaded.out()), loaded.toString());
        assertTrue(loaded.out().contains("\"" + func + "\" [id=\"" + func + "\", label=<<b>" + FUNCTION + "()</b>"), loaded.toString());
        // The owner, as fdinfo has it, is on the prog array's node.
        String owner = FdInfo.of(progs.fd()).ownerProgTypeName().replace("BPF_PROG_TYPE_", "").toLowerCase();
        assertTrue(loaded.out().contains("map " + progs.id() + " · prog_array · 0/1 slots · owner " + owner), loaded.toString());

        // Without kernel memory: prog info's attach_btf_obj_id is the BTF both kprobe programs
        // share (6.1), or absent (5.10), when the extension's component is itself and its maps.
        Dot uapi = dot("uapi", ei.id());
        Set<String> expectedUapi = mapEdges(ei);
        for (ProgInfo p : List.of(ki, ii, ti)) {
            boolean sharesMap = java.util.Arrays.stream(p.mapIds()).anyMatch(m -> java.util.Arrays.stream(ei.mapIds()).anyMatch(e -> e == m));
            if (sharesMap || ei.attachBtfObjId() != 0) expectedUapi.addAll(mapEdges(p));
        }
        if (ei.attachBtfObjId() != 0) {
            assertEquals(ki.btfId(), ei.attachBtfObjId());
            assertEquals(funcId, ei.attachBtfId());
            String shared = "func:btf:" + ei.attachBtfObjId() + ":" + ei.attachBtfId();
            for (ProgInfo p : List.of(ki, ii, ti)) {
                if (p.btfId() == ei.attachBtfObjId() && p.funcInfo().stream().anyMatch(f -> f.typeId() == funcId))
                    expectedUapi.add("prog:" + p.id() + " -> " + shared + " calls");
            }
            expectedUapi.add(shared + " -> prog:" + ei.id() + " freplace (not attached)");
        }
        assertEquals(expectedUapi, edges(uapi.out()), uapi.toString());

        // 2. The put, and the slot edge exactly when a lookup finds the program.
        boolean put;
        try {
            new ProgArray(progs).set(0, tail);
            put = true;
        } catch (BpfException e) {
            assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
            put = false;
        }
        Optional<byte[]> slot = progs.lookup(u32(0));
        assertEquals(put, slot.isPresent());
        Dot after = dot("kcore", ei.id());
        Set<String> slots = only(edges(after.out()), "[slot]");
        if (put) {
            assertEquals(ti.id(), ByteBuffer.wrap(slot.get()).order(ByteOrder.LITTLE_ENDIAN).getInt());
            assertEquals(Set.of("map:" + progs.id() + " -> prog:" + ti.id() + " [0]"), slots, after.toString());
        } else {
            assertEquals(Set.of(), slots, after.toString());
        }
        // Debian's 6.1 has 1c123c567fb1 (6.1.4+): the put succeeds; 5.10 lacks it.
        assertEquals(KernelRelease.running().atLeast(6, 1), put, "put of k_tailcall on " + KernelRelease.running());
    }

    /** State 3: everything attached. */
    void attached(KernelBpf kb, BpfObject tc, BpfObject fr, int funcId, KernelRelease kr) throws IOException {
        BpfProgram kTcp = tc.program("k_tcp_connect"), kIcsk = tc.program("k_icsk_complete_hashdance");
        List<BpfLink> owned = new ArrayList<>();
        try {
            if (fr != null) {
                BpfProgram ext = fr.program("freplace_handler");
                owned.add(Links.freplace(ext, kTcp, funcId));
                owned.add(Links.freplace(ext, kIcsk, functionId(kIcsk, FUNCTION)));
            }
            owned.add(tc.attach("k_tcp_connect"));
            owned.add(tc.attach("k_icsk_complete_hashdance"));
            ProgInfo ki = kTcp.info(), ii = kIcsk.info();
            Dot dot = dot("auto", ki.id());
            Set<String> got = edges(dot.out());
            Set<String> expected = new TreeSet<>(fr == null ? mapEdges(ki, ii)
                    : mapEdges(ki, ii, fr.program("k_tailcall").info(), fr.program("freplace_handler").info()));
            if (fr != null) {
                BpfMap progs = fr.map("progs");
                Optional<byte[]> slot = progs.lookup(u32(0));
                slot.ifPresent(v -> expected.add("map:" + progs.id() + " -> prog:"
                        + ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt() + " [0]"));
            }
            // Links: the extension's targets (link info, else the link in kernel memory).
            Set<Integer> extTargets = new TreeSet<>();
            for (int id : ObjectIds.all(ObjectIds.Kind.LINK)) {
                LinkInfo li;
                try (BpfLink l = BpfLink.fromId(id)) {
                    li = l.info();
                }
                if (li.type() == LinkType.TRACING) {
                    int t = li.fields().get("target_obj_id") instanceof Integer i && i != 0 ? i
                            : kb.link(id).target().orElseThrow(() -> new AssertionError("link " + id + ": no target in memory")).id();
                    int btf = li.fields().get("target_btf_id") instanceof Integer i && i != 0 ? i : funcId;
                    extTargets.add(t);
                    expected.add("prog:" + t + " -> func:" + t + ":" + btf + " calls");
                    expected.add("func:" + t + ":" + btf + " -> link:" + id + " freplace");
                    expected.add("link:" + id + " -> prog:" + li.progId());
                }
            }
            if (fr != null) assertEquals(new TreeSet<>(List.of(ki.id(), ii.id())), extTargets, "the extension replaces stub_handler in both");
            // Kprobes: this process's perf event fds, and the perf-event link of the same program if there is one.
            Set<String> functions = new TreeSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path p : ds) {
                    String t;
                    try {
                        t = Files.readSymbolicLink(p).toString();
                    } catch (IOException e) {
                        continue;
                    }
                    if (!t.equals("anon_inode:[perf_event]")) continue;
                    Optional<TaskFdQuery> q = TaskFdQuery.of((int) ProcessHandle.current().pid(), Integer.parseInt(p.getFileName().toString()));
                    if (q.isEmpty() || (q.get().progId() != ki.id() && q.get().progId() != ii.id())) continue;
                    assertEquals(TaskFdQuery.FdType.KPROBE, q.get().fdType());
                    functions.add(q.get().name() + " " + q.get().progId());
                    List<Integer> perfLinks = new ArrayList<>();
                    for (int id : ObjectIds.all(ObjectIds.Kind.LINK)) {
                        try (BpfLink l = BpfLink.fromId(id)) {
                            LinkInfo li = l.info();
                            if (li.type() == LinkType.PERF_EVENT && li.progId() == q.get().progId()) perfLinks.add(id);
                        }
                    }
                    if (perfLinks.isEmpty()) {
                        expected.add("kfunc:" + q.get().name() + " -> prog:" + q.get().progId() + " kprobe");
                    } else {
                        assertEquals(1, perfLinks.size());
                        expected.add("kfunc:" + q.get().name() + " -> link:" + perfLinks.getFirst() + " kprobe");
                        expected.add("link:" + perfLinks.getFirst() + " -> prog:" + q.get().progId());
                    }
                }
            }
            assertEquals(Set.of("inet_csk_complete_hashdance " + ii.id(), "tcp_connect " + ki.id()), functions);
            // 5.15 attaches kprobes through perf-event links; 5.10 by ioctl, with no link.
            assertEquals(kr.atLeast(5, 15), expected.stream().anyMatch(e -> e.startsWith("kfunc:tcp_connect -> link:")), expected.toString());
            assertEquals(expected, got, dot.toString());

            Path out = Path.of("target", "lab-graphs");
            Files.createDirectories(out);
            Files.writeString(out.resolve(kr.release() + ".dot"), dot.out());
            Files.writeString(out.resolve(kr.release() + ".txt"), CliRun.of("inspect", "graph", String.valueOf(ki.id())).out());
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
        }
    }
}
