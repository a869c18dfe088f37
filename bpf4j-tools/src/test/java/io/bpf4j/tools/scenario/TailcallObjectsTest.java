package io.bpf4j.tools.scenario;

import io.bpf4j.MapSpec;
import io.bpf4j.ProgramSpec;
import io.bpf4j.tools.ToolObjects;
import io.bpf4j.BpfException;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The committed scenario objects are what the story needs, read from their real bytes. */
class TailcallObjectsTest {
    static final ObjectSpec TCPCONN = ToolObjects.spec(ToolObjects.TAILCALL_TCPCONN);
    static final ObjectSpec FREPLACE = ToolObjects.spec(ToolObjects.TAILCALL_FREPLACE);

    static Set<String> names(java.util.Collection<ProgramSpec> ps) {
        return ps.stream().map(ProgramSpec::name).collect(Collectors.toSet());
    }

    @Test
    void objectOneHasTwoKprobesCallingTheGlobalStub() {
        assertEquals(Set.of("k_tcp_connect", "k_icsk_complete_hashdance"), names(TCPCONN.programs()));
        for (String[] kp : TailcallInFreplace.KPROBES) {
            ProgramSpec p = TCPCONN.program(kp[0]);
            assertEquals(ProgType.KPROBE, p.type());
            assertEquals(kp[1], p.attachTarget(), "the section names the probed function");
            assertEquals(java.util.List.of(TailcallInFreplace.FUNCTION), p.subprograms(), "the stub is linked into " + kp[0]);
            assertEquals(2, p.funcInfo().size(), "BTF func_info for main and stub: freplace needs it");
        }
        BtfType stub = TCPCONN.btf().findByName(TailcallInFreplace.FUNCTION, BtfKind.FUNC).orElseThrow();
        // The verifier refuses to replace static functions ("Cannot replace static functions").
        assertEquals("global", ((BtfType.Func) stub).linkage().text());
        assertEquals(MapType.PERCPU_ARRAY, TCPCONN.map("socks").type());
        assertEquals(MapType.PERF_EVENT_ARRAY, TCPCONN.map("events").type());
    }

    @Test
    void objectTwoHasTheExtensionTheTailCalleeAndAOneSlotProgArray() {
        assertEquals(Set.of("k_tailcall", "freplace_handler"), names(FREPLACE.programs()));
        assertEquals(ProgType.EXT, FREPLACE.program("freplace_handler").type());
        assertEquals(TailcallInFreplace.FUNCTION, FREPLACE.program("freplace_handler").attachTarget());
        assertEquals(ProgType.KPROBE, FREPLACE.program("k_tailcall").type());
        MapSpec progs = FREPLACE.map("progs");
        assertEquals(MapType.PROG_ARRAY, progs.type());
        assertEquals(1, progs.maxEntries());
        assertEquals(java.util.List.of("bpf_tail_call"), TailcallInFreplace.helperCalls(FREPLACE.program("freplace_handler").instructions()),
                "the extension's body is the tail call and nothing else");
        assertEquals(java.util.List.of("bpf_map_lookup_elem", "bpf_probe_read_kernel", "bpf_probe_read_kernel", "bpf_probe_read_kernel",
                "bpf_probe_read_kernel", "bpf_perf_event_output"), TailcallInFreplace.helperCalls(FREPLACE.program("k_tailcall").instructions()));
        // freplace_handler's only map reference is progs: the load that claims its owner.
        assertEquals(Set.of("progs"), FREPLACE.program("freplace_handler").references().stream()
                .filter(r -> r.kind() == ProgramSpec.Reference.Kind.MAP).map(ProgramSpec.Reference::symbol).collect(Collectors.toSet()));
    }

    @Test
    void objectTwosSharedMapsMatchObjectOnesSoTheyCanBeReplaced() {
        for (String m : new String[] {"socks", "events"}) {
            MapSpec a = TCPCONN.map(m), b = FREPLACE.map(m);
            assertEquals(a.type(), b.type(), m);
            assertEquals(a.keySize(), b.keySize(), m);
            assertEquals(a.valueSize(), b.valueSize(), m);
            assertEquals(a.maxEntries(), b.maxEntries(), m);
        }
    }

    @Test
    void objectOneLoadsAndItsStubHasABtfIdInTheKernelsCopy() {
        // Kprobe programs load on this host (they only cannot be attached); EXT programs do not.
        try (BpfObject tc = BpfObject.load(TCPCONN)) {
            int a = TailcallInFreplace.functionId(tc.program("k_tcp_connect"), TailcallInFreplace.FUNCTION);
            int b = TailcallInFreplace.functionId(tc.program("k_icsk_complete_hashdance"), TailcallInFreplace.FUNCTION);
            assertTrue(a > 0);
            assertEquals(a, b, "both programs carry the object's one BTF");
            BpfException e = assertThrows(BpfException.class,
                    () -> TailcallInFreplace.functionId(tc.program("k_tcp_connect"), "no_such_function"));
            assertTrue(e.getMessage().contains("no function no_such_function"), e.getMessage());
        }
    }

    @Test
    void withoutTheKprobePmuTheScenarioSaysSoInOneLine() {
        boolean pmu = Files.exists(Path.of(TailcallInFreplace.KPROBE_PMU));
        if (pmu) {
            assertDoesNotThrow(TailcallInFreplace::requireKprobes);
            return;
        }
        BpfException e = assertThrows(BpfException.class, () -> new TailcallInFreplace(
                new TailcallInFreplace.Options(1, null, false)).run(new TailcallInFreplace.Listener() {}));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith("this kernel has no kprobes"), e.getMessage());
    }

    @Test
    void packageVersionIsTheKernelsNotTheCompilers() {
        assertEquals("Debian 5.10.223-1", TailcallInFreplace.packageVersion("Linux version 5.10.0-32-amd64 (debian-kernel@lists.debian.org) "
                + "(gcc-10 (Debian 10.2.1-6) 10.2.1 20210110, GNU ld (GNU Binutils for Debian) 2.35.2) #1 SMP Debian 5.10.223-1 (2024-08-10)"));
        assertEquals("Debian 7.3.4-1~bpo13+1", TailcallInFreplace.packageVersion("Linux version 7.3.4+deb13-amd64 (debian-kernel@lists.debian.org) "
                + "(x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0) #1 SMP PREEMPT_DYNAMIC Debian 7.3.4-1~bpo13+1 (2026-10-02)"));
        assertNull(TailcallInFreplace.packageVersion("Linux version 6.18.44 (builder@x) (gcc (GCC) 15.3.0) #1 SMP"));
    }

    @Test
    void optionsRefuseNonsense() {
        assertThrows(BpfException.class, () -> new TailcallInFreplace.Options(-1, null, false));
        assertThrows(BpfException.class, () -> new TailcallInFreplace.Options(1, java.time.Duration.ZERO, false));
    }
}
