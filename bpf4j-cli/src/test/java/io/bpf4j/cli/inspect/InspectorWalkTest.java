package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.Fd;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A long listing is walked on two threads: the same objects, in the same order, as one thread walks them. */
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
            for (int i = 0; i < Inspector.PARALLEL_FROM + 501; i++) ids.add(i % 7 == 3 ? gone : i % 2 == 0 ? a.id() : b.id());
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

    @Test
    void aFailureOnTheSecondThreadIsTheListingsFailure() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 2 * Inspector.PARALLEL_FROM; i++) ids.add(i);
        int bad = ids.size() - 10; // in the second half, walked by the other thread
        BpfException e = assertThrows(BpfException.class, () -> new Inspector().walk(ids, false, id -> {
            if (id == bad) throw new BpfException("open map id " + id, 1, null);
            return Map.of("id", id);
        }));
        assertEquals("open map id " + bad + ": operation not permitted", e.getMessage());
    }
}
