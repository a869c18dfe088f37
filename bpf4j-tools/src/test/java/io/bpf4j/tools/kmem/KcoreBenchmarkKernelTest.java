package io.bpf4j.tools.kmem;

import io.bpf4j.BpfProgram;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.fixtures.TestPrograms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Details of 1,000 programs from kernel memory against the same from the bpf(2) interfaces
 * (GET_NEXT_ID, GET_FD_BY_ID, GET_INFO_BY_FD), in the same run; prints both times.
 */
@Tag("kernel")
class KcoreBenchmarkKernelTest {
    @Test
    void thousandProgramsFromKcoreEqualTheInterfacesAndAreTimed() {
        List<BpfProgram> progs = new ArrayList<>();
        try (KernelBpf kb = KernelBpf.open()) {
            for (int i = 0; i < 1000; i++) progs.add(TestPrograms.load(ProgType.SOCKET_FILTER, "t_b" + i, TestPrograms.returning(0)));
            kb.progs(); // warm up both paths once: class loading and JIT are not what we measure
            uapi();
            long reads0 = ((Kcore) kb.kernel().memory()).fileReads();
            long t0 = System.nanoTime();
            List<KernelBpf.Prog> fromKcore = kb.progs();
            long t1 = System.nanoTime();
            long reads = ((Kcore) kb.kernel().memory()).fileReads() - reads0;
            List<ProgInfo> fromUapi = uapi();
            long t2 = System.nanoTime();
            assertEquals(fromUapi.stream().map(ProgInfo::id).toList(), fromKcore.stream().map(p -> p.ref().id()).toList());
            for (int i = 0; i < fromUapi.size(); i++) {
                assertEquals(fromUapi.get(i).typeName(), fromKcore.get(i).ref().type());
                assertEquals(fromUapi.get(i).jited(), fromKcore.get(i).jited());
                assertTrue(fromKcore.get(i).ref().name().startsWith(fromUapi.get(i).name()), fromKcore.get(i).ref().name());
            }
            System.out.printf("benchmark: %d programs with details: kcore %.1f ms, uapi %.1f ms (%d kcore file reads)%n",
                    fromKcore.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, reads);
        } finally {
            progs.forEach(BpfProgram::close);
        }
    }

    static List<ProgInfo> uapi() {
        List<ProgInfo> out = new ArrayList<>();
        for (int id : ObjectIds.all(ObjectIds.Kind.PROG)) {
            try (BpfProgram p = BpfProgram.fromId(id)) {
                out.add(p.info());
            }
        }
        return out;
    }
}
