package io.bpf4j.tools.explain;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.KernelFacts;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.explain.rules.KnowledgeBase;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** explain.bpf.c's records as the tracer reads them, and the report of the story's failure as explain prints it. */
class ReportTest {
    /** struct event of explain.bpf.c for a failed BPF_MAP_UPDATE_ELEM of the story. */
    static byte[] event(int tgid, int tid, long ret, int signal) {
        ByteBuffer b = ByteBuffer.allocate(CallEvent.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, 123_456_789L).putLong(8, 0x7ffd0000L).putLong(32, ret).putInt(40, tgid).putInt(44, tid)
                .putInt(48, BpfCommand.MAP_UPDATE_ELEM.value()).putInt(52, 32).putInt(56, signal).putInt(60, 32);
        b.putInt(64, 5).putLong(64 + 8, 0x7ffd1000L).putLong(64 + 16, 0x7ffd1008L);
        return b.array();
    }

    @Test
    void aRecordParsesAsTheCallItWas() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(CallEvent.SIZE);
            s.copyFrom(MemorySegment.ofArray(event(100, 101, -Errno.EINVAL, 23)));
            CallEvent e = CallEvent.parse(s);
            assertEquals(100, e.tgid());
            assertEquals(101, e.tid());
            assertTrue(e.failed());
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(23, e.signal());
            assertEquals(32, e.attr().length, "only the bytes explain.bpf.c copied");
            assertEquals("bpf(BPF_MAP_UPDATE_ELEM, {map_fd=5, key=0x7ffd1000, value=0x7ffd1008, flags=BPF_ANY}, 32)", e.call().toString());
            assertFalse(e.endOfWalk());
        }
    }

    @Test
    void theEndOfAKeyWalkIsNotAFailureToExplain() {
        byte[] b = event(1, 1, -Errno.ENOENT, 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(48, BpfCommand.MAP_GET_NEXT_KEY.value());
        assertTrue(CallEvent.parse(MemorySegment.ofArray(b)).endOfWalk());
    }

    @Test
    void theStorysFailureReadsLikeStraceThenTheCause() {
        CallEvent e = CallEvent.parse(MemorySegment.ofArray(event(4242, 4242, -Errno.EINVAL, 23)));
        ObjectSnapshot.MapObject progs = new ObjectSnapshot.MapObject(5, 17, MapType.PROG_ARRAY.value(), "progs", 4, 4, 1, 0,
                ProgType.EXT.value(), true, false, ObjectSnapshot.O_RDWR, 0);
        ObjectSnapshot.ProgObject tail = new ObjectSnapshot.ProgObject(9, 42, ProgType.KPROBE.value(), "k_tailcall", "", true, true, 0, 0,
                -1, -1, List.of(), List.of());
        Observation o = Observation.builder(e.call(), e.errno()).pid(4242).tid(4242)
                .kernel(KernelFacts.release("5.10.0-32-amd64", 5, 10)).process(ProcessFacts.root())
                .object("map_fd", progs).object("value", tail).memory("key", new byte[4]).memory("value", new byte[] {9, 0, 0, 0}).build();
        FailedCall f = new FailedCall(e, "story", true, o, KnowledgeBase.explain(o),
                List.of("__x64_sys_bpf [-EINVAL]", "  <- bpf_fd_array_map_update_elem [-EINVAL]", "    <- bpf_prog_array_compatible [false]"));
        String t = Report.text(f);
        assertTrue(t.startsWith("explain: [pid 4242 story] bpf(BPF_MAP_UPDATE_ELEM, {map_fd=5<map 17 \"progs\">, key=0x7ffd1000, "
                + "value=0x7ffd1008, flags=BPF_ANY}, 32) = -1 EINVAL (invalid argument)\n"), t);
        assertTrue(t.contains("  map_fd: map 17 \"progs\" BPF_MAP_TYPE_PROG_ARRAY key 4 value 4 max_entries 1 owner BPF_PROG_TYPE_EXT\n"), t);
        assertTrue(t.contains("  value (fd): prog 42 \"k_tailcall\" BPF_PROG_TYPE_KPROBE\n"), t);
        assertTrue(t.contains("  cause (R-M14): map 17 \"progs\" (BPF_MAP_TYPE_PROG_ARRAY) is owned by BPF_PROG_TYPE_EXT"), t);
        assertTrue(t.contains("  kernel: 1c123c567fb1 \"bpf: Resolve fext program type when checking map compatibility\" (v6.2, 6.1.4+, 6.0.y)"), t);
        assertTrue(t.endsWith("  kernel chain:\n    __x64_sys_bpf [-EINVAL]\n      <- bpf_fd_array_map_update_elem [-EINVAL]\n"
                + "        <- bpf_prog_array_compatible [false]\n"), t);
        String j = Report.json(f);
        assertTrue(j.endsWith("}\n") && j.indexOf('\n') == j.length() - 1, "one line per call: " + j);
        JsonObject jo = JsonParser.parseString(j).getAsJsonObject();
        assertEquals(4242, jo.get("pid").getAsInt());
        assertEquals(4242, jo.get("tid").getAsInt());
        assertEquals("story", jo.get("comm").getAsString());
        assertEquals("BPF_MAP_UPDATE_ELEM", jo.get("command").getAsString());
        JsonObject cause = jo.getAsJsonArray("causes").get(0).getAsJsonObject();
        assertEquals("R-M14", cause.get("rule").getAsString());
        assertEquals("1c123c567fb1", cause.get("commit").getAsString());
        assertEquals("BPF_PROG_TYPE_EXT", jo.getAsJsonObject("objects").getAsJsonObject("map_fd").get("owner_prog_type").getAsString());
        List<String> chain = new java.util.ArrayList<>();
        jo.getAsJsonArray("kernel_chain").forEach(x -> chain.add(x.getAsString()));
        assertEquals(List.of("__x64_sys_bpf [-EINVAL]", "  <- bpf_fd_array_map_update_elem [-EINVAL]", "    <- bpf_prog_array_compatible [false]"),
                chain);
    }
}
