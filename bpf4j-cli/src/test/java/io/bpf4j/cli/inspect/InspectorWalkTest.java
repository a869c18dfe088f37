package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.Fd;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.internal.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A long listing is walked in chunks on two threads while it is listed: the same objects, in the
 * same order, as one thread walks them.
 */
class InspectorWalkTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    @Test
    void twoThreadsListWhatOneListsInOrderAndSkipVanishedObjects() {
        int gone;
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName("t_walk_gone"))) {
            gone = m.id();
        }
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("t_walk_a"));
             BpfMap b = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 16, 3).withName("t_walk_b"))) {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 9 * Inspector.CHUNK + 77; i++) ids.add(i % 7 == 3 ? gone : i % 2 == 0 ? a.id() : b.id());
            Inspector in = new Inspector();
            List<Map<String, Object>> parallel = in.walk(ids, false, id -> in.map(id, false));
            List<Map<String, Object>> serial = new ArrayList<>();
            for (int id : ids) if (id != gone) serial.add(in.map(id, false));
            assertEquals(serial.size(), parallel.size());
            for (int i = 0; i < serial.size(); i++) {
                // memlock and the rest are the kernel's; only the order is ours to keep
                assertEquals(serial.get(i).get("id"), parallel.get(i).get("id"), "object " + i);
                assertEquals(serial.get(i).get("name"), parallel.get(i).get("name"), "object " + i);
            }
        }
    }

    /** The fast path renders each chunk as it walks it: joined, the chunks are what the whole list renders as. */
    @Test
    void renderedChunksJoinIntoTheListsText() {
        int gone;
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName("t_part_gone"))) {
            gone = m.id();
        }
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("t_part_a"));
             BpfMap b = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 3).withName("t_part_b"))) {
            Inspector in = new Inspector();
            // Then every id of some chunks vanished: those render nothing, and need no comma.
            for (int someGone = 0; someGone < 2; someGone++) {
                List<Integer> ids = new ArrayList<>();
                int n = 6 * Inspector.CHUNK + 11;
                for (int i = 0; i < n; i++) {
                    boolean chunkGone = someGone == 1 && (i / Inspector.CHUNK) % 2 == 1;
                    ids.add(i % 5 == 1 || chunkGone ? gone : i % 2 == 0 ? a.id() : b.id());
                }
                List<Map<String, Object>> list = in.walk(ids, true, id -> in.map(id, false)); // details: one thread
                StringBuilder text = new StringBuilder();
                for (Map<String, Object> m : list) Text.map(text, m);
                FastInspect.Part json = FastInspect.part(in, "map", true, ids), plain = FastInspect.part(in, "map", false, ids);
                assertEquals(list.size(), json.count);
                assertEquals(Json.write(list), "[" + json.out + "]");
                assertEquals(text.toString(), plain.out.toString());
            }
        }
    }

    @Test
    void aFailureOnTheSecondThreadIsTheListingsFailure() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= 8 * Inspector.CHUNK; i++) ids.add(i);
        int bad = ids.size() - 10; // in the last chunk, walked by either thread
        BpfException e = assertThrows(BpfException.class, () -> new Inspector().walk(ids, false, id -> {
            if (id == bad) throw new BpfException("open map id " + id, 1, null);
            return Map.of("id", id);
        }));
        assertEquals("open map id " + bad + ": operation not permitted", e.getMessage());
    }
}
