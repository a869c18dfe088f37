package io.bpf4j.cli.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.Cpus;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.cli.CliRun;
import io.bpf4j.Fd;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bpf4j inspect map dump} against the installed bpftool, on the maps of
 * src/test/bpf/mapdump.bpf.c (in bpf4j-core) loaded by our loader and filled here: every field
 * of {@code bpftool -j map dump} must be in our {@code --json} with the same value, and the
 * text must be bpftool's text, for hash, array, per-CPU hash and array, LRU, LPM trie, a map
 * without BTF, global data, prog array and map-in-map maps. Needs root and bpftool.
 */
class MapDumpBpftoolTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Fields our JSON adds to bpftool's entries (and bpftool 7.1 lacks "inner_map_id", 7.2+ has it). */
    static final Set<String> OURS_ONLY = Set.of("prog", "inner_map", "inner_map_id");
    static BpfObject obj;
    static BpfMap outerHashInner;

    @BeforeAll
    static void loadAndFill() {
        obj = BpfObject.load(ObjectSpec.resource("/io/bpf4j/loader/mapdump.bpf.o"));
        Random r = new Random(14);
        BpfMap hash = obj.map("d_hash");
        hash.update(flowKey(10, 1, 8080, 6, 1), stats(), BpfMap.ANY);
        for (int i = 0; i < 5; i++) hash.update(flowKey(10, 2 + i, 443, 17, 0), random(r, 144), BpfMap.ANY);
        BpfMap array = obj.map("d_array");
        array.update(u32(0), random(r, 144), BpfMap.ANY);
        array.update(u32(1), stats(), BpfMap.ANY);
        int cpus = Cpus.possible();
        BpfMap pcpuHash = obj.map("d_pcpu_hash");
        for (int k = 0; k < 3; k++) pcpuHash.update(u32(k * 7), random(r, 16 * cpus), BpfMap.ANY);
        BpfMap pcpuArray = obj.map("d_pcpu_array");
        pcpuArray.update(u32(1), random(r, 16 * cpus), BpfMap.ANY);
        BpfMap lru = obj.map("d_lru");
        for (int k = 0; k < 4; k++) lru.update(u64(1000L * k + 1), random(r, 16), BpfMap.ANY);
        BpfMap lpm = obj.map("d_lpm");
        lpm.update(new byte[] {24, 0, 0, 0, 10, 1, 2, 0}, u32(7), BpfMap.ANY);
        lpm.update(new byte[] {8, 0, 0, 0, 10, 0, 0, 0}, u32(8), BpfMap.ANY);
        BpfMap hex = obj.map("d_hex");
        hex.update(u32(1), random(r, 20), BpfMap.ANY);
        hex.update(u32(2), random(r, 20), BpfMap.ANY);
        obj.map("d_inner_a").update(u32(1), random(r, 16), BpfMap.ANY);
        obj.map("d_outer_hash").update(u32(5), u32(obj.map("d_inner_b").fd().raw()), BpfMap.ANY);
    }

    @AfterAll
    static void close() {
        obj.close();
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    // ---- values

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Random bytes, without the characters bpftool 7.1 escapes wrongly in JSON strings (\ and '). */
    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        for (int i = 0; i < n; i++) if (b[i] == '\\' || b[i] == '\'' || b[i] == '"') b[i] = 'A';
        return b;
    }

    static byte[] flowKey(int a, int b, int port, int proto, int dir) {
        ByteBuffer k = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
        k.put(0, (byte) a).put(3, (byte) b).putShort(4, (short) port).put(6, (byte) 192).put(9, (byte) 1);
        k.put(12, (byte) proto).put(13, (byte) (dir | 0x2a << 1));
        return k.array();
    }

    /** A struct stats with a string, signed and unsigned extremes, bitfields, enums by name and a pointer. */
    static byte[] stats() {
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 7).put(4, "hello".getBytes(StandardCharsets.US_ASCII)).put(20, new byte[] {'a', 'b', 1, 'c'});
        b.putInt(24, -1).putLong(32, 1).put(40, (byte) 1).put(41, (byte) 0xfe).putShort(42, (short) -3);
        b.putLong(48, -5).putLong(56, -1).put(64, (byte) (5 | 0x1f << 3)).put(65, (byte) 5);
        b.putInt(68, 1).putInt(72, 2).putInt(76, 3).putInt(88, 0x01020304).putInt(104, 99);
        b.putLong(112, 0xffff888000001000L).putLong(128, 5).putLong(136, 1);
        return b.array();
    }

    // ---- running both tools

    static String bpftool(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bpftool"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bpftool did not finish");
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("bpftool " + String.join(" ", args) + ": " + e, e);
        }
    }

    static CliRun dump(String... args) {
        List<String> a = new ArrayList<>(List.of("inspect", "map", "dump"));
        a.addAll(List.of(args));
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    static String id(String map) {
        return String.valueOf(obj.map(map).id());
    }

    /**
     * Every field bpftool prints is ours with the same value; our extra fields are the ones
     * documented. Entries are matched by their key bytes (both tools list them in the kernel's
     * order, but a key-by-key walk and a batch walk need not agree on it).
     */
    static void assertBpftoolFieldsEqual(JsonNode theirs, JsonNode ours, String what) {
        assertTrue(theirs.isArray() && ours.isArray(), what);
        assertEquals(theirs.size(), ours.size(), what + ": number of entries\nbpftool: " + theirs + "\nbpf4j:   " + ours);
        Map<JsonNode, JsonNode> byKey = new LinkedHashMap<>();
        for (JsonNode e : ours) byKey.put(e.get("key"), e);
        for (JsonNode t : theirs) {
            JsonNode o = byKey.get(t.get("key"));
            assertNotNull(o, what + ": no entry with key " + t.get("key") + " in " + ours);
            for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertEquals(t.get(f), o.get(f), what + " key " + t.get("key") + ": field " + f);
            }
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(t.has(f) || OURS_ONLY.contains(f), what + ": unexpected field " + f);
            }
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + e.getMessage() + "\n" + json, e);
        }
    }

    /** bpftool before v7.3 prints pointers unquoted (invalid JSON); we print them as it does since. */
    static String quotePointers(String bpftoolText) {
        return bpftoolText.replaceAll("(\"next\": )(0x[0-9a-f]+|\\(nil\\))", "$1\"$2\"");
    }

    // ---- the acceptance comparisons

    @Test
    void jsonHasEveryBpftoolFieldWithItsValueForEveryKeyedMapType() {
        for (String m : List.of("d_hash", "d_array", "d_pcpu_hash", "d_pcpu_array", "d_lru", "d_lpm", "d_hex", ".data",
                "d_inner_a", "d_progs", "d_outer", "d_outer_hash")) {
            JsonNode theirs = parse(bpftool("-j", "map", "dump", "id", id(m)));
            JsonNode ours = parse(dump(id(m), "--json").out());
            assertBpftoolFieldsEqual(theirs, ours, m);
            assertTrue(theirs.size() > 0, m + " is empty: the test filled nothing");
        }
    }

    @Test
    void formattedValuesComeFromBtfWherePresent() {
        JsonNode ours = parse(dump(id("d_array"), "--json").out());
        JsonNode v = ours.get(1).get("formatted").get("value");
        assertEquals("hello", v.get("comm").asText());
        assertEquals("BLUE", v.get("color").asText());
        assertEquals("0x1f", v.get("level").asText());
        assertEquals("18446744073709551615", v.get("packets").bigIntegerValue().toString());
        JsonNode pcpu = parse(dump(id("d_pcpu_hash"), "--json").out()).get(0);
        assertEquals(Cpus.possible(), pcpu.get("values").size());
        assertEquals(Cpus.possible(), pcpu.get("formatted").get("values").size());
        assertEquals(Cpus.possible() - 1, pcpu.get("formatted").get("values").get(Cpus.possible() - 1).get("cpu").asInt());
        // --raw: bytes only.
        JsonNode raw = parse(dump(id("d_array"), "--json", "--raw").out());
        assertFalse(raw.get(0).has("formatted"));
        assertEquals(ours.get(0).get("value"), raw.get(0).get("value"));
    }

    @Test
    void textIsBpftoolsTextForMapsWithAndWithoutBtf() {
        for (String m : List.of("d_hash", "d_array", "d_pcpu_hash", "d_pcpu_array", "d_lru", "d_lpm", "d_hex", ".data", "d_inner_a")) {
            String theirs = quotePointers(bpftool("map", "dump", "id", id(m)));
            assertEquals(theirs, dump(id(m)).out(), m);
        }
        // --raw is bpftool's text for a map without BTF.
        String raw = dump(id("d_lru"), "--raw").out();
        assertTrue(raw.startsWith("key: ") && raw.endsWith("Found 4 elements\n"), raw);
    }

    @Test
    void progArraySlotsNameTheirPrograms() {
        BpfProgram t0 = obj.program("d_tail_0"), t2 = obj.program("d_tail_2");
        JsonNode ours = parse(dump(id("d_progs"), "--json").out());
        assertEquals(2, ours.size());
        for (JsonNode e : ours) {
            int slot = e.get("key").get(0).asText().equals("0x00") ? 0 : 2;
            BpfProgram p = slot == 0 ? t0 : t2;
            JsonNode prog = e.get("prog");
            assertEquals(p.id(), prog.get("id").asInt());
            assertEquals("socket_filter", prog.get("type").asText());
            assertEquals(slot == 0 ? "d_tail_0" : "d_tail_2", prog.get("name").asText());
            assertEquals(p.id(), ByteBuffer.wrap(hexBytes(e.get("value"))).order(ByteOrder.LITTLE_ENDIAN).getInt());
        }
        // The text is bpftool's line with the program appended.
        String theirs = bpftool("map", "dump", "id", id("d_progs"));
        String text = dump(id("d_progs")).out();
        assertEquals(theirs, text.replaceAll("  \\(prog [^)]*\\)", ""));
        assertTrue(text.contains("  (prog " + t0.id() + ": socket_filter  name d_tail_0)\n"), text);
        assertTrue(text.contains("  (prog " + t2.id() + ": socket_filter  name d_tail_2)\n"), text);
    }

    static byte[] hexBytes(JsonNode arr) {
        byte[] b = new byte[arr.size()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(arr.get(i).asText().substring(2), 16);
        return b;
    }

    @Test
    void mapInMapEntriesCarryTheirInnerMapsEntries() {
        JsonNode ours = parse(dump(id("d_outer"), "--json").out());
        assertEquals(2, ours.size());
        Set<Integer> inner = new HashSet<>();
        for (JsonNode e : ours) {
            int innerId = e.get("inner_map_id").asInt();
            inner.add(innerId);
            assertEquals(innerId, ByteBuffer.wrap(hexBytes(e.get("value"))).order(ByteOrder.LITTLE_ENDIAN).getInt());
            JsonNode im = e.get("inner_map");
            assertEquals(innerId, im.get("id").asInt());
            assertEquals("array", im.get("type").asText());
            assertBpftoolFieldsEqual(parse(bpftool("-j", "map", "dump", "id", String.valueOf(innerId))), im.get("elements"),
                    "inner map " + innerId);
        }
        assertEquals(Set.of(obj.map("d_inner_a").id(), obj.map("d_inner_b").id()), inner);
        // --depth 0: the inner maps' headers, not their entries.
        for (JsonNode e : parse(dump(id("d_outer"), "--json", "--depth", "0").out()))
            assertFalse(e.get("inner_map").has("elements"), e.toString());
        // Text: bpftool's lines (bpftool 7.2+ writes the inner map id instead of its bytes), each
        // followed by the inner map's header and dump, indented by four spaces.
        String text = dump(id("d_outer")).out();
        String theirs = bpftool("map", "dump", "id", id("d_outer"));
        List<String> outerLines = text.lines().filter(l -> !l.startsWith("    ")).toList();
        List<String> expect = theirs.lines().map(l -> {
            java.util.regex.Matcher mm = java.util.regex.Pattern.compile("^(key: .*)  value: (..) (..) (..) (..)$").matcher(l);
            if (!mm.matches()) return l;
            long v = Long.parseLong(mm.group(5) + mm.group(4) + mm.group(3) + mm.group(2), 16);
            return mm.group(1) + "  inner_map_id: " + v + " ";
        }).toList();
        assertEquals(expect, outerLines);
        int a = obj.map("d_inner_a").id();
        String innerA = bpftool("map", "dump", "id", String.valueOf(a));
        StringBuilder indented = new StringBuilder("    " + a + ": array  name d_inner_a  flags 0x0\n");
        innerA.lines().forEach(l -> indented.append("    ").append(l).append('\n'));
        assertTrue(text.contains(indented), "inner map dump indented:\n" + indented + "\nin:\n" + text);
    }

    @Test
    void queueAndStackShowTheirHeadAsBpftoolPeekWithoutRemovingIt() {
        BpfMap q = obj.map("d_queue"), s = obj.map("d_stack");
        try {
            for (int v = 1; v <= 3; v++) {
                q.push(u32(v));
                s.push(u32(v));
            }
            CliRun qt = dump(id("d_queue"));
            assertEquals(bpftool("map", "peek", "id", id("d_queue")), qt.out());
            assertEquals("value: 01 00 00 00\n", qt.out());
            assertTrue(qt.err().contains("queue " + q.id() + ": only the head is shown"), qt.err());
            assertEquals("value: 03 00 00 00\n", dump(id("d_stack")).out());
            JsonNode qj = parse(dump(id("d_queue"), "--json").out());
            assertEquals(1, qj.size());
            assertEquals(parse(bpftool("-j", "map", "peek", "id", id("d_queue"))), qj.get(0));
            for (int v = 1; v <= 3; v++) assertEquals(v, ByteBuffer.wrap(q.pop().orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getInt());
            assertEquals("Found 0 elements\n", dump(id("d_queue")).out());
            assertEquals("[]", parse(dump(id("d_queue"), "--json").out()).toString());
        } finally {
            while (q.pop().isPresent()) { }
            while (s.pop().isPresent()) { }
        }
    }

    @Test
    void ringBufferShowsPositionsAndPendingRecords() {
        // d_produce commits one 8-byte record and discards another: two 16-byte slots
        // (8-byte header + 8 bytes, BPF_RINGBUF_HDR_SZ), nothing consumed.
        obj.program("d_produce").testRun(new byte[64], 1);
        JsonNode rb = parse(dump(id("d_ringbuf"), "--json").out());
        assertEquals("ringbuf", rb.get("type").asText());
        assertEquals(4096, rb.get("size").asInt());
        assertEquals(0, rb.get("consumer_pos").asLong());
        assertEquals(32, rb.get("producer_pos").asLong());
        assertEquals(32, rb.get("pending_bytes").asLong());
        assertEquals(1, rb.get("pending_records").asLong());
        assertEquals(1, rb.get("discarded_records").asLong());
        assertFalse(rb.get("busy").asBoolean());
        String text = dump(id("d_ringbuf")).out();
        assertTrue(text.contains("\tsize 4096  consumer_pos 0  producer_pos 32\n\tpending 32 bytes: 1 record, 1 discarded"), text);
        // A user ring buffer (6.1+: user space produces, BPF consumes) maps the same way.
        try (BpfMap user = BpfMap.create(MapSpec.of(MapType.USER_RINGBUF, 0, 0, 8192))) {
            JsonNode u = parse(dump(String.valueOf(user.id()), "--json").out());
            assertEquals("user_ringbuf", u.get("type").asText());
            assertEquals(8192, u.get("size").asInt());
            assertEquals(0, u.get("producer_pos").asLong());
            assertEquals(0, u.get("pending_records").asLong());
        }
    }

    @Test
    void perfEventArrayShowsItsSlotsAndTheProcessesReadingIt() throws Exception {
        String mapId = id("d_perf");
        // bpftool map event_pipe opens a perf event per CPU into the map and reads them.
        Process reader = new ProcessBuilder("bpftool", "map", "event_pipe", "id", mapId)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            JsonNode pe = null;
            for (int i = 0; i < 100; i++) {
                pe = parse(dump(mapId, "--json").out());
                if (pe.get("pids").size() > 0) break;
                Thread.sleep(50);
            }
            assertEquals("perf_event_array", pe.get("type").asText());
            assertEquals(Cpus.possible(), pe.get("max_entries").asInt());
            assertFalse(pe.get("slots_readable").asBoolean());
            assertEquals(List.of(reader.pid() + "/bpftool"), pids(pe));
            assertTrue(dump(mapId).out().contains("\tpids bpftool(" + reader.pid() + ")"));
        } finally {
            reader.destroy();
            assertTrue(reader.waitFor(10, TimeUnit.SECONDS));
        }
    }

    static List<String> pids(JsonNode n) {
        List<String> l = new ArrayList<>();
        for (JsonNode p : n.get("pids")) l.add(p.get("pid").asLong() + "/" + p.get("comm").asText());
        return l;
    }

    // ---- how the map is named, and bad input

    @Test
    void jsonOptionWorksInEveryPosition() {
        String m = id("d_lpm");
        String expect = dump(m, "--json").out();
        for (String[] args : List.of(new String[] {"inspect", "--json", "map", "dump", m}, new String[] {"inspect", "map", "--json", "dump", m},
                new String[] {"inspect", "map", "dump", "--json", m}, new String[] {"inspect", "map", "dump", "id", m, "--json"})) {
            CliRun r = CliRun.of(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals(expect, r.out(), String.join(" ", args));
        }
    }

    @Test
    void mapsAreFoundByIdNameAndPin() throws Exception {
        String name = "md_" + Long.toHexString(System.nanoTime() & 0xffffffffL);
        Path dir = Path.of("/sys/fs/bpf/bpf4j-mapdump-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 2).withName(name))) {
            m.update(u32(1), u32(0x0a0b0c0d), BpfMap.ANY);
            m.pin(dir.resolve("m").toString());
            String expect = "key: 00 00 00 00  value: 00 00 00 00\nkey: 01 00 00 00  value: 0d 0c 0b 0a\nFound 2 elements\n";
            assertEquals(expect, dump(String.valueOf(m.id())).out());
            assertEquals(expect, dump("id", String.valueOf(m.id())).out());
            assertEquals(expect, dump("name", name).out());
            assertEquals(expect, dump("pinned", dir.resolve("m").toString()).out());
        } finally {
            Files.deleteIfExists(dir.resolve("m"));
            Files.deleteIfExists(dir);
        }
    }

    /** A failure: exit 1, one line on stderr naming the problem, nothing on stdout. */
    static void assertFails(String expectedErr, int exit, String... args) {
        List<String> a = new ArrayList<>(List.of("inspect", "map", "dump"));
        a.addAll(List.of(args));
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertEquals(exit, r.exit(), String.join(" ", args) + ": " + r.err());
        assertEquals("", r.out(), String.join(" ", args));
        String first = r.err().lines().findFirst().orElse("");
        assertEquals(expectedErr, first, String.join(" ", args));
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void badInputIsOneLineWithExitOneOrTwo() throws Exception {
        assertFails("bpf4j inspect map dump: no map with id 4294967295: no such file or directory", 1, "4294967295");
        String nobody = "md_none_" + Long.toHexString(System.nanoTime());
        assertFails("bpf4j inspect map dump: no map named '" + nobody.substring(0, 15) + "'", 1, "name", nobody.substring(0, 15));
        String twice = "md_" + Long.toHexString(System.nanoTime() & 0xffffffffL);
        Path dir = Path.of("/sys/fs/bpf/bpf4j-mapdump-bad-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName(twice));
             BpfMap b = BpfMap.create(MapSpec.of(MapType.HASH, 4, 4, 1).withName(twice))) {
            assertFails("bpf4j inspect map dump: 2 maps are named '" + twice + "' (ids " + a.id() + ", " + b.id() + "): give one id",
                    1, "name", twice);
            String prog = dir.resolve("prog").toString();
            obj.program("d_tail_0").pin(prog);
            assertFails("bpf4j inspect map dump: " + prog + " is a pinned program, not a map", 1, "pinned", prog);
            assertFails("bpf4j inspect map dump: /etc/hostname is not a pinned BPF object (not a file on bpffs)", 1, "pinned", "/etc/hostname");
            assertFails("bpf4j inspect map dump: " + dir + "/none: no such file", 1, "pinned", dir + "/none");
            assertFails("bpf4j inspect map dump: " + dir + " is a directory, not a pinned map", 1, "pinned", dir.toString());
        } finally {
            Files.deleteIfExists(dir.resolve("prog"));
            Files.deleteIfExists(dir);
        }
        // Usage errors: one line too, exit 2.
        assertFails("bpf4j inspect map dump: 'abc' is not a map id: give ID, id ID, name NAME or pinned PATH", 2, "abc");
        assertFails("bpf4j inspect map dump: 'name' is not a map id: give ID, id ID, name NAME or pinned PATH", 2, "name");
        assertFails("bpf4j inspect map dump: expected id, name or pinned before '3', not 'ids'", 2, "ids", "3");
        assertFails("bpf4j inspect map dump: --depth must be 0 or more, not -1", 2, "--depth", "-1", "1");
    }
}
