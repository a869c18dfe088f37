package io.bpf4j.tools.scenario;

import io.bpf4j.explain.KnownChanges;
import io.bpf4j.tools.scenario.Explanation.ChangeState;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Connection;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Extension;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.KernelInfo;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Outcome;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Owner;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Prog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Explanations come from observations: the same kernel release explains differently when the kernel behaves differently. */
class TailcallExplainerTest {
    static final String KPROBE = "BPF_PROG_TYPE_KPROBE", EXT = "BPF_PROG_TYPE_EXT";
    static final KernelInfo KERNEL = new KernelInfo("6.1.0-56-amd64", "Debian 6.1.192-2", 1);
    static final List<Prog> PROGS = List.of(new Prog("k_tcp_connect", 1, KPROBE, true), new Prog("k_icsk_complete_hashdance", 2, KPROBE, true),
            new Prog("k_tailcall", 3, KPROBE, true), new Prog("freplace_handler", 4, EXT, true));
    static final Extension EXTENSION = new Extension("freplace_handler", EXT, "k_tcp_connect", KPROBE, "stub_handler", 31,
            List.of("bpf_tail_call"));

    static TailcallInFreplaceReport report(Owner owner, Outcome outcome, List<Step> steps, Map<Integer, Integer> slots,
                                           List<Connection> conns, List<TcpEvent> events) {
        TailcallInFreplaceReport r = new TailcallInFreplaceReport(KERNEL, steps, PROGS, EXTENSION, owner,
                outcome == Outcome.PUT_REFUSED ? null : owner, slots, outcome, conns, events, 0, List.of(), true);
        TailcallExplainer.Result x = TailcallExplainer.explain(r);
        return new TailcallInFreplaceReport(KERNEL, steps, PROGS, EXTENSION, owner, r.ownerAfterPut(), slots, outcome, conns, events, 0,
                x.lines(), x.explained());
    }

    static Explanation cause(TailcallInFreplaceReport r) {
        List<Explanation> c = r.causes();
        assertEquals(1, c.size(), "one decisive change: " + r.explanation());
        return c.getFirst();
    }

    static TcpEvent ev(int sport, int dport, boolean freplace) {
        return new TcpEvent(0, "127.0.0.1", sport, "127.0.0.1", dport, freplace ? 3 : 0);
    }

    static final Step PUT_EINVAL = new Step(3, "put k_tailcall (prog 3) in progs[0]", false, "EINVAL", "update: invalid argument", List.of());

    @Test
    void anExtOwnerRefusingTheKprobeIsTheMissingFextResolution() {
        TailcallInFreplaceReport r = report(new Owner(EXT, true), Outcome.PUT_REFUSED, List.of(PUT_EINVAL), Map.of(), List.of(), List.of());
        assertTrue(r.explained());
        Explanation c = cause(r);
        assertEquals(KnownChanges.RESOLVE_FEXT_TYPE, c.change());
        assertEquals(ChangeState.ABSENT, c.state());
        assertTrue(c.text().contains(EXT) && c.text().contains(KPROBE), c.text());
        assertEquals("tailcall-in-freplace: put refused EINVAL, owner BPF_PROG_TYPE_EXT: 1c123c567fb1 absent", TailcallExplainer.summary(r));
    }

    @Test
    void aRefusalWithAMatchingOwnerIsNotBlamedOnAnyKnownChange() {
        TailcallInFreplaceReport r = report(new Owner(KPROBE, true), Outcome.PUT_REFUSED, List.of(PUT_EINVAL), Map.of(), List.of(), List.of());
        assertFalse(r.explained());
        assertTrue(r.causes().isEmpty());
        assertTrue(TailcallExplainer.summary(r).endsWith("(unexplained)"));
    }

    @Test
    void aJitMismatchIsExplainedWithoutACommit() {
        TailcallInFreplaceReport r = report(new Owner(KPROBE, false), Outcome.PUT_REFUSED, List.of(PUT_EINVAL), Map.of(), List.of(), List.of());
        assertTrue(r.explained());
        assertTrue(r.causes().isEmpty());
        assertTrue(r.explanation().getLast().text().contains("JIT"), r.explanation().toString());
    }

    List<Connection> conns = List.of(new Connection(40000, 8080), new Connection(40001, 8080));

    List<TcpEvent> events(boolean withFreplace, int dropFreplace) {
        List<TcpEvent> out = new ArrayList<>();
        int dropped = 0;
        for (Connection c : conns) {
            for (int[] dir : new int[][] {{c.clientPort(), c.serverPort()}, {c.serverPort(), c.clientPort()}}) {
                out.add(ev(dir[0], dir[1], false));
                if (withFreplace && dropped++ >= dropFreplace) out.add(ev(dir[0], dir[1], true));
            }
        }
        out.add(ev(22, 5555, false)); // someone else's socket
        return out;
    }

    @Test
    void aRunWhereEveryHitTailCalledIsExplainedAndNamesTheOtherChangesAsNotInvolved() {
        TailcallInFreplaceReport r = report(new Owner(KPROBE, true), Outcome.RAN, List.of(), Map.of(0, 3), conns, events(true, 0));
        assertEquals(4, r.kprobeEvents());
        assertEquals(4, r.freplaceEvents());
        assertEquals(1, r.otherEvents());
        assertTrue(r.explained(), r.explanation().toString());
        Explanation c = cause(r);
        assertEquals(KnownChanges.RESOLVE_FEXT_TYPE, c.change());
        assertEquals(ChangeState.PRESENT, c.state());
        List<String> notInvolved = r.explanation().stream().filter(x -> x.state() == ChangeState.NOT_INVOLVED)
                .map(x -> x.change().shortId()).toList();
        assertEquals(List.of("28ead3eaabc1", "d6083f040d5d", "fdad456cbcca"), notInvolved);
    }

    @Test
    void missingTailCallEventsAreReportedAsUnexplained() {
        TailcallInFreplaceReport r = report(new Owner(KPROBE, true), Outcome.RAN, List.of(), Map.of(0, 3), conns, events(true, 1));
        assertEquals(3, r.freplaceEvents());
        assertFalse(r.explained());
        assertTrue(r.explanation().getLast().text().contains("only 3 of 4"), r.explanation().getLast().text());
    }

    @Test
    void anExtendedTargetInTheProgArrayRefusingTheAttachIsTheTailcallLoopFix() {
        Step attach = new Step(4, "attach freplace_handler to k_tcp_connect", false, "EBUSY", "attach: device or resource busy", List.of());
        TailcallInFreplaceReport r = report(new Owner(KPROBE, true), Outcome.FREPLACE_ATTACH_REFUSED, List.of(attach), Map.of(0, 1),
                List.of(), List.of());
        Explanation last = r.explanation().getLast();
        assertEquals(KnownChanges.FREPLACE_TAILCALL_LOOP, last.change());
        assertEquals(ChangeState.PRESENT, last.state());
        assertTrue(r.explained());
    }

    @Test
    void anExtRefusedWithEpermIsTheEnvironmentNotTheKernelsBug() {
        Step load = new Step(1, "load tailcall_freplace", false, "EPERM", "BPF_PROG_LOAD freplace_handler: operation not permitted", List.of());
        TailcallInFreplaceReport r = new TailcallInFreplaceReport(KERNEL, List.of(load), PROGS.subList(0, 2), null, null, null, null,
                Outcome.LOAD_REFUSED, List.of(), List.of(), 0, List.of(), true);
        TailcallExplainer.Result x = TailcallExplainer.explain(r);
        assertTrue(x.explained());
        assertTrue(x.lines().getLast().text().contains("EPERM"));
        assertTrue(x.lines().stream().allMatch(l -> l.change() == null));
    }

    @Test
    void aVerifierRuleIsNamedFromTheLog() {
        Step load = new Step(1, "load tailcall_freplace", false, "EINVAL", "BPF_PROG_LOAD: invalid argument",
                List.of("Cannot replace static functions", "processed 0 insns"));
        TailcallInFreplaceReport r = new TailcallInFreplaceReport(KERNEL, List.of(load), PROGS.subList(0, 2), null, null, null, null,
                Outcome.LOAD_REFUSED, List.of(), List.of(), 0, List.of(), true);
        TailcallExplainer.Result x = TailcallExplainer.explain(r);
        assertTrue(x.explained());
        assertTrue(x.lines().stream().anyMatch(l -> l.topic().equals("verifier") && l.text().contains("static")));
    }

    @Test
    void anExtensionRefusedForChangingPacketDataNamesBothChangesWhenItTailCalls() {
        Step load = new Step(1, "load tailcall_freplace", false, "EINVAL", "load program freplace_handle (BPF_PROG_TYPE_EXT): invalid argument",
                List.of("Extension program changes packet data, while original does not", "processed 0 insns (limit 1000000)"));
        TailcallInFreplaceReport r = new TailcallInFreplaceReport(KERNEL, List.of(load), PROGS.subList(0, 2), EXTENSION, null, null, null,
                Outcome.LOAD_REFUSED, List.of(), List.of(), 0, List.of(), true);
        TailcallExplainer.Result x = TailcallExplainer.explain(r);
        assertTrue(x.explained());
        List<Explanation> causes = x.lines().stream().filter(l -> l.state() == ChangeState.PRESENT).toList();
        assertEquals(List.of(KnownChanges.EXT_CHANGES_PKT_DATA, KnownChanges.TAILCALL_CHANGES_PKT_DATA),
                causes.stream().map(Explanation::change).toList());

        // Without a tail call among the extension's helpers only the extension check is named.
        Extension noTail = new Extension("freplace_handler", EXT, "k_tcp_connect", KPROBE, "stub_handler", 31, List.of("bpf_skb_pull_data"));
        TailcallInFreplaceReport r2 = new TailcallInFreplaceReport(KERNEL, List.of(load), PROGS.subList(0, 2), noTail, null, null, null,
                Outcome.LOAD_REFUSED, List.of(), List.of(), 0, List.of(), true);
        assertEquals(List.of(KnownChanges.EXT_CHANGES_PKT_DATA), TailcallExplainer.explain(r2).lines().stream()
                .filter(l -> l.state() == ChangeState.PRESENT).map(Explanation::change).toList());
    }

    @Test
    void aWatchOnlyRunWithoutTrafficIsNotMistakenForWorkingTailCalls() {
        TailcallInFreplaceReport r = report(new Owner(KPROBE, true), Outcome.RAN, List.of(), Map.of(0, 3), List.of(), List.of());
        assertTrue(r.explained());
        assertTrue(r.explanation().getLast().text().startsWith("no TCP connection"), r.explanation().getLast().text());
    }
}
