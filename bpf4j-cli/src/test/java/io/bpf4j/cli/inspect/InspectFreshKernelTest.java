package io.bpf4j.cli.inspect;

import io.bpf4j.ObjectIds;
import io.bpf4j.cli.CliRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A newcomer's first {@code bpf4j inspect} on a kernel with nothing loaded (the lab's guest: no
 * systemd, nothing else that loads BPF): the empty summary and then where to go next, and
 * {@code []} for an empty JSON list however the options are placed.
 */
@Tag("kernel")
class InspectFreshKernelTest {
    /** Waits until the kernel holds no program, map or link: those of earlier tests are freed after an RCU grace period. */
    static void nothingLoaded() throws InterruptedException {
        List<Integer> left = List.of();
        for (int i = 0; i < 200; i++) {
            left = new java.util.ArrayList<>(ObjectIds.all(ObjectIds.Kind.PROG));
            left.addAll(ObjectIds.all(ObjectIds.Kind.MAP));
            left.addAll(ObjectIds.all(ObjectIds.Kind.LINK));
            if (left.isEmpty()) return;
            Thread.sleep(100);
        }
        fail("BPF objects still loaded after 20 s (program, map and link ids): " + left);
    }

    @Test
    void anEmptyKernelPointsTheWay() throws Exception {
        nothingLoaded();
        CliRun r = CliRun.of("inspect");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                0 programs, 0 maps, 0 links
                Nothing is loaded. Try: bpf4j check tailcall (probes this kernel for known tail-call issues),
                or the story on a 5.10 kernel: bpf4j vm run --kernel 5.10 -- ./bpf4j scenario tailcall-in-freplace
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void anEmptyJsonListIsAnEmptyArrayWhereverJsonIsGiven() throws Exception {
        nothingLoaded();
        for (String[] args : new String[][] {{"inspect", "--json", "prog"}, {"inspect", "prog", "--json"},
                {"inspect", "--json", "map"}, {"inspect", "--json", "link"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(0, r.exit(), r.err());
            assertEquals("[]\n", r.out(), String.join(" ", args));
        }
        CliRun all = CliRun.of("inspect", "--json");
        assertEquals("{\"programs\":[],\"maps\":[],\"links\":[]}\n", all.out());
    }
}
