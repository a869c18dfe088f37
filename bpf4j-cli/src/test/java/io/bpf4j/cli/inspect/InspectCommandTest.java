package io.bpf4j.cli.inspect;

import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.cli.CliRun;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.FdInfo;
import io.bpf4j.kernel.Kallsyms;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** What `bpf4j inspect` prints, checked against the kernel's own answers for objects we load. */
class InspectCommandTest {
    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    @Test
    void progArrayDetailsShowOwnerAndSlotsAsTheKernelHasThem() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4).withName("progs"));
             BpfProgram caller = TestPrograms.load(ProgType.KPROBE, "t_caller", TestPrograms.tailCalling(progs, 0, 0));
             BpfProgram target = TestPrograms.loadNamed(ProgType.KPROBE, "k_tailcall", "k_tailcall_full_name",
                     TestPrograms.returning(0))) {
            progs.update(u32(0), u32(target.fd().raw()), BpfMap.ANY);
            progs.update(u32(2), u32(caller.fd().raw()), BpfMap.ANY);
            int mapId = progs.id();
            ProgInfo ti = target.info();
            FdInfo fdi = FdInfo.of(progs.fd());

            Map<String, Object> m = new Inspector().map(mapId, true);
            assertEquals("BPF_MAP_TYPE_PROG_ARRAY", m.get("type"));
            @SuppressWarnings("unchecked") Map<String, Object> owner = (Map<String, Object>) m.get("owner");
            assertEquals(fdi.ownerProgTypeName(), owner.get("prog_type"));
            assertEquals("BPF_PROG_TYPE_KPROBE", owner.get("prog_type"));
            assertEquals(fdi.ownerJited(), owner.get("jited"));
            @SuppressWarnings("unchecked") List<Map<String, Object>> slots = (List<Map<String, Object>>) m.get("slots");
            assertEquals(List.of(0, 2), slots.stream().map(s -> s.get("index")).toList());
            assertEquals(ti.id(), slots.get(0).get("prog_id"));
            assertEquals(caller.id(), slots.get(1).get("prog_id"));
            assertEquals("k_tailcall_full_name", slots.get(0).get("name"), "full name from BTF func info");
            String ksym = "bpf_prog_" + ti.tag() + "_k_tailcall_full_name";
            assertEquals(ksym, slots.get(0).get("ksym"));
            if (ti.jited()) {
                long addr = Kallsyms.load().first(ksym).orElseThrow().address();
                assertEquals("0x" + Long.toHexString(addr), slots.get(0).get("address"), "address matches kallsyms");
            }

            CliRun text = CliRun.of("inspect", "map", String.valueOf(mapId), "--details");
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().contains("owner bpf prog: BPF_PROG_TYPE_KPROBE jited:" + (fdi.ownerJited() ? "True" : "False")),
                    text.out());
            assertTrue(text.out().contains("progs[0]: id " + ti.id() + "  BPF_PROG_TYPE_KPROBE  k_tailcall_full_name  " + ksym),
                    text.out());

            CliRun json = CliRun.of("inspect", "map", String.valueOf(mapId), "--details", "--json");
            assertEquals(0, json.exit());
            JsonObject jsonOwner = JsonParser.parseString(json.out()).getAsJsonArray().get(0).getAsJsonObject().getAsJsonObject("owner");
            assertEquals("BPF_PROG_TYPE_KPROBE", jsonOwner.get("prog_type").getAsString(), json.out());
            assertEquals(fdi.ownerJited(), jsonOwner.get("jited").getAsBoolean(), json.out());
        }
    }

    @Test
    void programDetailsShowKsymUsedMapsAndSummaryListsEverything() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 1).withName("t_used"));
             BpfProgram p = TestPrograms.loadNamed(ProgType.XDP, "t_detail", "t_detail_main",
                     TestPrograms.tailCalling(progs, 0, TestPrograms.XDP_PASS))) {
            ProgInfo i = p.info();
            Map<String, Object> m = new Inspector().program(i.id(), true);
            assertEquals("BPF_PROG_TYPE_XDP", m.get("type"));
            assertEquals("t_detail", m.get("name"));
            assertEquals("t_detail_main", m.get("full_name"));
            assertEquals(i.tag(), m.get("tag"));
            assertEquals("bpf_prog_" + i.tag() + "_t_detail_main", m.get("ksym"));
            assertEquals(i.btfId(), m.get("btf_id"));
            @SuppressWarnings("unchecked") List<Map<String, Object>> used = (List<Map<String, Object>>) m.get("used_maps");
            assertEquals(1, used.size());
            assertEquals(progs.id(), used.get(0).get("id"));
            assertEquals("t_used", used.get(0).get("name"));

            CliRun all = CliRun.of("inspect");
            assertEquals(0, all.exit(), all.err());
            assertTrue(all.out().contains(i.id() + ": BPF_PROG_TYPE_XDP  name t_detail  tag " + i.tag()), all.out());
            assertTrue(all.out().contains(progs.id() + ": BPF_MAP_TYPE_PROG_ARRAY  name t_used"), all.out());
        }
    }

    @Test
    void unknownIdIsOneLineAndNonZeroExit() {
        CliRun r = CliRun.of("inspect", "prog", "2147483647");
        assertEquals(1, r.exit());
        assertEquals("bpf4j inspect prog: no program with id 2147483647: no such file or directory", r.err().strip());
        CliRun m = CliRun.of("inspect", "map", "2147483647", "--details");
        assertEquals(1, m.exit());
        assertEquals(1, m.err().strip().lines().count(), m.err());
    }

    @Test
    void optionsBeforeTheSubcommandAreTheSubcommands() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 2).withName("t_before"));
             BpfProgram target = TestPrograms.load(ProgType.KPROBE, "t_before", TestPrograms.returning(0))) {
            progs.update(u32(1), u32(target.fd().raw()), BpfMap.ANY);
            String map = String.valueOf(progs.id()), prog = String.valueOf(target.id());

            // Ignored before: text, no details, exit 0.
            CliRun json = CliRun.of("inspect", "--json", "map", map);
            assertEquals(0, json.exit(), json.err());
            assertEquals(progs.id(), JsonParser.parseString(json.out()).getAsJsonArray().get(0).getAsJsonObject().get("id").getAsInt(), json.out());
            CliRun details = CliRun.of("inspect", "--details", "map", map);
            assertEquals(0, details.exit(), details.err());
            assertTrue(details.out().contains("\tprogs[1]: id " + target.id() + "  BPF_PROG_TYPE_KPROBE  t_before"), details.out());
            assertEquals(CliRun.of("inspect", "map", map, "--details").out(), details.out(), "the same as after the subcommand");
            CliRun both = CliRun.of("inspect", "--json", "--details", "map", map);
            assertEquals("t_before", JsonParser.parseString(both.out()).getAsJsonArray().get(0).getAsJsonObject()
                    .getAsJsonArray("slots").get(0).getAsJsonObject().get("name").getAsString(), both.out());
            CliRun p = CliRun.of("inspect", "--json", "prog", prog);
            assertEquals(0, p.exit(), p.err());
            assertEquals("t_before", JsonParser.parseString(p.out()).getAsJsonArray().get(0).getAsJsonObject().get("name").getAsString());
            // The whole list: JSON, not text (with no programs it is [], see InspectFreshKernelTest).
            CliRun all = CliRun.of("inspect", "--json", "prog");
            assertEquals(0, all.exit(), all.err());
            assertTrue(JsonParser.parseString(all.out()).getAsJsonArray().size() >= 1, all.out().substring(0, Math.min(200, all.out().length())));
            CliRun links = CliRun.of("inspect", "--json", "link");
            assertEquals(0, links.exit(), links.err());
            assertTrue(JsonParser.parseString(links.out()).isJsonArray(), links.out());
        }
    }

    @Test
    void btfTakesAnIdAsTheReadmesSynopsisSays() {
        CliRun list = CliRun.of("inspect", "btf", "--json");
        assertEquals(0, list.exit(), list.err());
        JsonObject first = JsonParser.parseString(list.out()).getAsJsonArray().get(0).getAsJsonObject();
        int id = first.get("id").getAsInt();
        CliRun one = CliRun.of("inspect", "btf", String.valueOf(id));
        assertEquals(0, one.exit(), one.err());
        assertEquals(1, one.out().lines().count(), one.out());
        assertTrue(one.out().startsWith(id + ": name "), one.out());
        assertTrue(CliRun.of("inspect", "btf").out().contains(one.out()), "the same line as in the list");
        CliRun json = CliRun.of("inspect", "--json", "btf", String.valueOf(id));
        assertEquals(first, JsonParser.parseString(json.out()).getAsJsonArray().get(0).getAsJsonObject(), json.out());
        CliRun none = CliRun.of("inspect", "btf", "2147483647");
        assertEquals(1, none.exit());
        assertEquals(1, none.err().lines().count(), none.err());
        assertTrue(none.err().startsWith("bpf4j inspect btf: "), none.err());
    }
}
