package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.link.Links;
import io.bpf4j.loader.BpfObject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tracer owns what {@link Tracer#attach} attached once it is handed over: when its ring
 * buffer reader cannot open, the constructor closes every link and object itself, because no
 * caller holds them. Runs on this machine: an XDP link on the loopback interface stands for the
 * attached probes (the host has no kprobes), and the kernel's own view of lo says whether it went.
 */
class TracerOwnershipTest {
    @Test
    void aTracerWhoseRingBufferCannotBeOpenedDetachesAndClosesWhatItWasHanded() throws Exception {
        long before = openFds();
        // trace_targets.bpf.o: real programs and a prog array, but no "rb" ring buffer or "drops" counter.
        BpfObject obj = BpfObject.load(TraceFeaturesKernelTest.targets());
        BpfLink link = Links.xdp(obj.program("tt_target"), 1, 0);
        int id = link.info().id();
        assertTrue(xdpOnLoopback(), "the test's XDP link is on lo");
        assertTrue(openFds() > before);
        Tracer.Attached a = new Tracer.Attached(AttachMode.KPROBE, "test", List.of(), obj, new ArrayList<>(),
                new ArrayList<>(List.of(link)), false, new ArrayList<>(), null, 0);
        try {
            BpfException e = assertThrows(BpfException.class, () -> new Tracer(new TracedFunction[0], a, 0));
            assertTrue(e.getMessage().contains("no map"), e.getMessage());
            // The kernel frees a link when its last fd closes: its id is gone.
            BpfException gone = assertThrows(BpfException.class, () -> BpfLink.fromId(id).close(), "link " + id + " still exists");
            assertEquals(Errno.ENOENT, gone.errno(), gone.getMessage());
            assertFalse(xdpOnLoopback(), "an XDP program is still attached to lo");
            assertEquals(before, openFds(), () -> "BPF objects left open: " + bpfFds());
        } finally {
            // Only reached with resources left if the assertions above failed.
            try { link.close(); } catch (RuntimeException ignored) { }
            try { obj.close(); } catch (RuntimeException ignored) { }
        }
    }

    /** Whether the kernel reports an XDP program on lo ({@code ip link} prints "xdp"). */
    static boolean xdpOnLoopback() throws Exception {
        Process p = new ProcessBuilder("ip", "-d", "link", "show", "dev", "lo").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out.contains("prog/xdp") || out.contains(" xdp ") || out.contains("xdpgeneric") || out.contains("xdp/id:");
    }

    /** The process's BPF file descriptors (maps, programs, links): the JVM's own come and go. */
    static long openFds() {
        return bpfFds().size();
    }

    static List<String> bpfFds() {
        List<String> out = new ArrayList<>();
        File[] fds = new File("/proc/self/fd").listFiles();
        for (File f : fds == null ? new File[0] : fds) {
            try {
                String target = Files.readSymbolicLink(f.toPath()).toString();
                if (target.startsWith("anon_inode:bpf")) out.add(f.getName() + "->" + target);
            } catch (java.io.IOException gone) {
                // closed while listing: not ours
            }
        }
        return out;
    }
}
