package io.bpf4j;

import io.bpf4j.asm.Asm;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.bpf4j.asm.Reg.R0;
import static io.bpf4j.asm.Reg.R1;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Program info is read in one call when its arrays fit the room offered first, and in a
 * second call when they do not: either way every map id comes back.
 */
class ProgInfoArraysTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static List<Integer> mapIdsOfProgramUsing(int nMaps) {
        List<BpfMap> maps = new ArrayList<>();
        try {
            Asm asm = new Asm();
            for (int i = 0; i < nMaps; i++) {
                BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName("t_room" + i));
                maps.add(m);
                asm.ldMapFd(R1, m.fd().raw());
            }
            try (BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.SOCKET_FILTER, asm.mov64(R0, 0).exit().bytes(), "GPL"));
                 Fd fd = ObjectIds.open(ObjectIds.Kind.PROG, p.info().id())) {
                ProgInfo viaFd = BpfProgram.infoOf(fd);
                assertArrayEquals(p.info().mapIds(), viaFd.mapIds());
                assertEquals(1, viaFd.progTags().size());
                assertEquals(viaFd.tag(), viaFd.progTags().get(0));
                int[] expected = maps.stream().mapToInt(BpfMap::id).sorted().toArray();
                int[] got = viaFd.mapIds().clone();
                Arrays.sort(got);
                assertArrayEquals(expected, got);
                return Arrays.stream(got).boxed().toList();
            }
        } finally {
            maps.forEach(BpfMap::close);
        }
    }

    @Test
    void mapIdsThatFitTheFirstRoom() {
        assertEquals(3, mapIdsOfProgramUsing(3).size());
    }

    @Test
    void mapIdsBeyondTheFirstRoomTakeASecondCall() {
        assertEquals(BpfProgram.INFO_ARRAY_ROOM + 9, mapIdsOfProgramUsing(BpfProgram.INFO_ARRAY_ROOM + 9).size());
    }
}
