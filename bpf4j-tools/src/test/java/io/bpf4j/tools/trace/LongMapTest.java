package io.bpf4j.tools.trace;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LongMapTest {
    @Test
    void behavesAsAHashMapUnderRandomPutsAndRemoves() {
        Random r = new Random(6);
        LongMap<String> m = new LongMap<>(4);
        Map<Long, String> ref = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // Few distinct keys, many colliding probe runs: removal must keep later entries findable.
            long k = r.nextInt(300) * (r.nextBoolean() ? 1L : 0x1_0000_0000L);
            switch (r.nextInt(3)) {
                case 0, 1 -> assertEquals(ref.put(k, "v" + i), m.put(k, "v" + i));
                default -> assertEquals(ref.remove(k), m.remove(k));
            }
            if (i % 1000 == 0) {
                assertEquals(ref.size(), m.size());
                for (long q = 0; q < 300; q++) assertEquals(ref.get(q), m.get(q), "key " + q);
            }
        }
        m.clear();
        assertEquals(0, m.size());
        assertNull(m.get(ref.keySet().iterator().next()));
    }
}
