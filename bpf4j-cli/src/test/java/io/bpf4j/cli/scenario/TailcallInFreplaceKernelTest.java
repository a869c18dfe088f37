package io.bpf4j.cli.scenario;

import io.bpf4j.tools.ToolObjects;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.cli.CliRun;
import io.bpf4j.BpfException;
import io.bpf4j.VerifierException;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.LoadOptions;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.tools.scenario.Explanation;
import io.bpf4j.tools.scenario.Step;
import io.bpf4j.tools.scenario.TailcallInFreplace;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport;
import io.bpf4j.tools.scenario.TailcallInFreplaceReport.Outcome;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.KernelRelease;
import io.bpf4j.internal.sys.Syscalls;
import org.junit.jupiter.api.Tag;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The scenario on a real kernel (the lab), every outcome checked against what this test sees for
 * itself in the same VM while the scenario is paused at step 2: the prog array's fdinfo read as
 * text, a raw BPF_MAP_UPDATE_ELEM of the same program into the same map, and {@code bpf4j
 * inspect map --details}; then events counted against connections this test makes.
 */
@Tag("kernel")
class TailcallInFreplaceKernelTest {
    /** enum bpf_prog_type values, written out so the test does not lean on ProgType. */
    static final int BPF_PROG_TYPE_KPROBE = 2, BPF_PROG_TYPE_EXT = 28;
    static final int BPF_MAP_UPDATE_ELEM = 2, BPF_MAP_DELETE_ELEM = 3, EINVAL = 22;

    /** What the test observed on its own during the pause. */
    static final class Seen {
        Integer ownerType, ownerJited;
        String inspectOut = "";
        int inspectExit = -1;
        long rawUpdate = Long.MIN_VALUE;
        final List<int[]> connections = new ArrayList<>();
    }

    static Integer fdinfoField(String fdinfo, String key) {
        Matcher m = Pattern.compile("(?m)^" + key + ":\\s*(\\d+)$").matcher(fdinfo);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /** bpf(BPF_MAP_UPDATE_ELEM or DELETE) with a hand-made union bpf_attr: map_fd, pad, key, value, flags. */
    static long rawElem(int cmd, int mapFd, int key, Integer value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(4, 4).fill((byte) 0), v = a.allocate(4, 4);
            k.set(JAVA_INT, 0, key);
            if (value != null) v.set(JAVA_INT, 0, value);
            MemorySegment attr = a.allocate(32, 8).fill((byte) 0);
            attr.set(JAVA_INT, 0, mapFd);
            attr.set(JAVA_LONG, 8, k.address());
            attr.set(JAVA_LONG, 16, value == null ? 0 : v.address());
            attr.set(JAVA_LONG, 24, 0); // BPF_ANY
            return Syscalls.bpf(cmd, attr, 32);
        }
    }

    static void connect(List<int[]> into, int n) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, n, lo)) {
            for (int i = 0; i < n; i++) {
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress(lo, server.getLocalPort()), 2000);
                    server.accept().close();
                    into.add(new int[] {c.getLocalPort(), server.getLocalPort()});
                }
            }
        } catch (IOException e) {
            throw new AssertionError("loopback connection (the lab brings lo up): " + e, e);
        }
    }

    static long count(TailcallInFreplaceReport r, int sport, int dport, boolean freplace) {
        return r.events().stream().filter(e -> e.sport() == sport && e.dport() == dport && e.freplace() == freplace).count();
    }

    @Test
    void everyStepAgreesWithWhatTheTestSeesInTheSameVm() {
        Seen seen = new Seen();
        int fdsBefore = Fd.openCount();
        TailcallInFreplace scenario = new TailcallInFreplace(new TailcallInFreplace.Options(0, Duration.ofSeconds(6), true));
        TailcallInFreplaceReport r = scenario.run(new TailcallInFreplace.Listener() {
            @Override
            public void paused(TailcallInFreplace.Paused p) {
                try {
                    String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + p.progsMapFd()));
                    seen.ownerType = fdinfoField(fdinfo, "owner_prog_type");
                    seen.ownerJited = fdinfoField(fdinfo, "owner_jited");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                // The lead's command, in-process on this (paused) thread: as from another shell.
                CliRun inspect = CliRun.of("inspect", "map", "--details");
                seen.inspectExit = inspect.exit();
                seen.inspectOut = inspect.out();
                seen.rawUpdate = rawElem(BPF_MAP_UPDATE_ELEM, p.progsMapFd(), 0, p.tailcallProgFd());
                // Leave step 3 the state it would have had: an empty slot (the owner is never reset anyway).
                if (seen.rawUpdate == 0) assertEquals(0, rawElem(BPF_MAP_DELETE_ELEM, p.progsMapFd(), 0, null));
            }

            @Override
            public void attached() {
                connect(seen.connections, 3);
            }
        });
        assertEquals(fdsBefore, Fd.openCount(), "the scenario closed everything it opened");
        String release = KernelRelease.running().release();
        String diag = release + ": " + r.explanation();

        KernelRelease k = KernelRelease.running();
        // Step 1. From v6.13 (81f6d0530ba0 + 1a4607ffba35) an extension whose body is a tail call "changes packet data"
        // and may not replace a stub that does not: the story ends at load. The test's own load must agree.
        String ownLoad = ownFreplaceLoad();
        if (k.atLeast(6, 13)) assertNotNull(ownLoad, "v6.13+ refuses the extension: " + diag);
        if (k.major() == 5 && k.minor() == 10) assertNull(ownLoad, "5.10 predates the changes_pkt_data check: " + diag);
        if (ownLoad != null) {
            assertEquals(Outcome.LOAD_REFUSED, r.outcome(), diag);
            Step load = r.failedStep();
            assertEquals("EINVAL", load.errno(), diag);
            assertTrue(ownLoad.contains("Extension program changes packet data, while original does not"), ownLoad);
            assertTrue(load.log().contains("Extension program changes packet data, while original does not"), load.log().toString());
            assertNull(seen.ownerType, "no pause without both objects");
            assertEquals(List.of(KnownChanges.EXT_CHANGES_PKT_DATA, KnownChanges.TAILCALL_CHANGES_PKT_DATA),
                    r.causes().stream().map(Explanation::change).toList(), diag);
            assertTrue(r.explained(), diag);
            return;
        }
        // Both objects loaded, and the report's owner is the one fdinfo shows.
        assertNotEquals(Outcome.LOAD_REFUSED, r.outcome(), diag);
        assertNotNull(seen.ownerType, "fdinfo shows an owner once the freplace program (which uses progs) loaded: " + diag);
        String ownerName = seen.ownerType == BPF_PROG_TYPE_EXT ? "BPF_PROG_TYPE_EXT"
                : seen.ownerType == BPF_PROG_TYPE_KPROBE ? "BPF_PROG_TYPE_KPROBE" : "type " + seen.ownerType;
        assertEquals(ownerName, r.ownerAfterLoad().type(), diag);
        assertEquals(seen.ownerJited == 1, r.ownerAfterLoad().jited(), diag);

        // Step 2: inspect, run while the scenario waited, shows the same owner.
        assertEquals(0, seen.inspectExit, seen.inspectOut);
        assertTrue(seen.inspectOut.contains("owner bpf prog: " + ownerName), "inspect map --details during the wait:\n" + seen.inspectOut);

        // Step 3: the scenario's put got what the test's own raw update got.
        Step put = r.steps().stream().filter(s -> s.number() == 3).findFirst().orElseThrow(() -> new AssertionError("no step 3: " + diag));
        if (seen.rawUpdate == 0) {
            assertTrue(put.ok(), diag);
        } else {
            assertFalse(put.ok(), diag);
            assertEquals(-seen.rawUpdate, io.bpf4j.internal.sys.Errno.byName(put.errno()), diag);
            assertEquals(Outcome.PUT_REFUSED, r.outcome());
        }

        // The story: an EXT owner refuses the kprobe with EINVAL, explained by the missing 1c123c567fb1.
        if (seen.ownerType == BPF_PROG_TYPE_EXT) {
            assertEquals(-EINVAL, seen.rawUpdate, diag);
            assertEquals("update: invalid argument", put.message());
            Explanation cause = r.causes().getFirst();
            assertEquals(KnownChanges.RESOLVE_FEXT_TYPE, cause.change());
            assertEquals(Explanation.ChangeState.ABSENT, cause.state());
        } else {
            assertEquals(BPF_PROG_TYPE_KPROBE, seen.ownerType, "a resolved owner is the target's type: " + diag);
            assertEquals(0, seen.rawUpdate, diag);
            assertTrue(r.causes().stream().anyMatch(c -> c.change() == KnownChanges.RESOLVE_FEXT_TYPE
                    && c.state() == Explanation.ChangeState.PRESENT), diag);
        }
        // Kernel-version discipline: 5.10 has the bug (no backport in Debian's 5.10), v6.2+ has the fix.
        if (k.major() == 5 && k.minor() == 10) assertEquals(BPF_PROG_TYPE_EXT, seen.ownerType, "5.10 is the story's kernel: " + diag);
        if (k.atLeast(6, 2)) assertEquals(BPF_PROG_TYPE_KPROBE, seen.ownerType, "1c123c567fb1 is in v6.2: " + diag);

        // Step 6: every connection this test made shows up once per probe on each side, and once more through the tail call.
        if (r.outcome() == Outcome.RAN) {
            assertEquals(3, seen.connections.size());
            for (int[] c : seen.connections) {
                for (boolean fr : new boolean[] {false, true}) {
                    assertEquals(1, count(r, c[0], c[1], fr), "tcp_connect " + (fr ? "(freplace) " : "") + c[0] + "->" + c[1] + ": " + r.events());
                    assertEquals(1, count(r, c[1], c[0], fr), "hashdance " + (fr ? "(freplace) " : "") + c[1] + "->" + c[0] + ": " + r.events());
                }
            }
            assertTrue(r.explained(), diag);
        } else {
            assertTrue(seen.connections.isEmpty(), "no traffic is made when the run ended before attaching");
            assertTrue(r.events().isEmpty());
        }
        assertTrue(r.explained(), diag);
    }

    /** The test's own load of both objects: null when the extension loads, else the verifier's message. */
    static String ownFreplaceLoad() {
        try (BpfObject tc = BpfObject.load(ToolObjects.spec(ToolObjects.TAILCALL_TCPCONN))) {
            ObjectSpec fr = ToolObjects.spec(ToolObjects.TAILCALL_FREPLACE);
            fr.updateProgram("freplace_handler", p -> p.withAttachTo(tc.program("k_tcp_connect"), "stub_handler"));
            try (BpfObject o = BpfObject.load(fr, LoadOptions.defaults().replaceMap("socks", tc.map("socks"))
                    .replaceMap("events", tc.map("events")))) {
                return null;
            } catch (BpfException e) {
                return e.getMessage() + (e instanceof VerifierException v ? "\n" + v.log() : "");
            }
        }
    }

    @Test
    void theAcceptanceCommandPrintsOneJsonRecordAndExitsZero() {
        CliRun run = CliRun.of("scenario", "tailcall-in-freplace", "--connect", "3", "--duration", "10s", "--json");
        assertEquals(0, run.exit(), run.out() + run.err());
        String out = run.out().strip();
        assertFalse(out.contains("\n"), "one record, one line: " + out);
        JsonObject o = JsonParser.parseString(out).getAsJsonObject();
        assertEquals("summary", o.keySet().iterator().next(), "the summary comes first: " + out);
        assertTrue(o.get("summary").getAsString().startsWith("tailcall-in-freplace: "), out);
        assertEquals("tailcall-in-freplace", o.get("scenario").getAsString());
        assertTrue(o.get("explained").getAsBoolean(), out);
        String outcome = o.get("outcome").getAsString();
        String explanation = o.getAsJsonArray("explanation").toString();
        if (outcome.equals("load refused")) {
            assertTrue(explanation.contains("Extension program changes packet data"), out);
            boolean commit = false;
            for (var e : o.getAsJsonArray("explanation")) {
                var c = e.getAsJsonObject().get("commit");
                commit |= c != null && c.getAsString().equals(KnownChanges.EXT_CHANGES_PKT_DATA.commit());
            }
            assertTrue(commit, "the explanation names " + KnownChanges.EXT_CHANGES_PKT_DATA.commit() + ": " + out);
        } else if (outcome.equals("put refused")) {
            boolean failed = false;
            for (var st : o.getAsJsonArray("steps")) {
                failed |= st.getAsJsonObject().get("message").getAsString().equals("Failed to put tailcall: update: invalid argument");
            }
            assertTrue(failed, out);
            assertEquals("BPF_PROG_TYPE_EXT", o.getAsJsonObject("owner_after_load").get("prog_type").getAsString(), out);
        } else {
            assertEquals("ran", outcome, out);
            JsonObject ev = o.getAsJsonObject("events");
            assertEquals(6, ev.get("kprobe").getAsInt(), "3 connections, both ends, both paths: " + out);
            assertEquals(6, ev.get("freplace").getAsInt(), "3 connections, both ends, both paths: " + out);
        }
    }
}
