package io.bpf4j.examples.xdp;

import io.bpf4j.examples.ExampleRun;
import io.bpf4j.features.KernelFeature;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bpf4j.fixtures.Assume.assumeSupported;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The XDP tail call example on this host: frames fed by BPF_PROG_TEST_RUN, and real frames on a
 * veth whose peer lives in a network namespace the test creates (as root). The handlers' counters
 * move only when the entry program's tail call reached them.
 */
class XdpExampleTest {
    static final Pattern REPORT = Pattern.compile("entry (\\d+) ipv4 (\\d+) ipv6 (\\d+) other (\\d+)");

    static long[] counters(String line) {
        Matcher m = REPORT.matcher(line);
        assertTrue(m.matches(), line);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
    }

    @Test
    void testRunFramesReachTheHandlerOfTheirEtherTypeThroughTheTailCall() throws Exception {
        checkTestRun();
    }

    /** 25 frames of each kind through BPF_PROG_TEST_RUN; also run on the lab kernels. */
    static void checkTestRun() throws Exception {
        try (ExampleRun run = ExampleRun.start("xdp-example", Main::run, "--test-run", "25")) {
            assertEquals(0, run.awaitExit(Duration.ofSeconds(60)), run.err());
            // 25 IPv4 frames went to handle_ipv4, 25 IPv6 to handle_ipv6, 25 ARP stayed in dispatch.
            assertEquals(List.of("entry 75 ipv4 25 ipv6 25 other 25"), run.lines());
        }
    }

    @Test
    void datagramsOnAVethAreCountedByTheIpv4HandlerAndPassed() throws Exception {
        assumeSupported(KernelFeature.LINK_CREATE);
        int datagrams = 20;
        try (Veth veth = Veth.create(); DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(Veth.HOST_IP), 0))) {
            socket.setSoTimeout(10_000);
            try (ExampleRun run = ExampleRun.start("xdp-example", Main::run, "--seconds", "60", veth.hostName)) {
                run.awaitLine(0, l -> l.startsWith("attached to " + veth.hostName), Duration.ofSeconds(60));
                veth.sendFromPeer(socket.getLocalPort(), datagrams);
                // Received: the program passed every one (XDP_PASS from handle_ipv4).
                byte[] buf = new byte[16];
                for (int i = 0; i < datagrams; i++) socket.receive(new DatagramPacket(buf, buf.length));
                // A report printed after the last datagram arrived counts all of them.
                int after = run.lines().size();
                long[] c = counters(run.awaitLine(after, l -> l.startsWith("entry "), Duration.ofSeconds(30)));
                assertEquals(datagrams, c[1], "ipv4: the test's datagrams");
                assertEquals(0, c[2], "ipv6: the peer has IPv6 disabled");
                assertTrue(c[3] >= 1, "other: the peer's ARP request for " + Veth.HOST_IP);
                assertEquals(c[0], c[1] + c[2] + c[3], "every frame went to exactly one handler or stayed");
            }
        }
    }

    @Test
    void aWrongArgumentIsAUsageErrorOnOneLine() throws Exception {
        for (String[] args : List.of(new String[0], new String[] {"--test-run", "x"}, new String[] {"--seconds", "1"}, new String[] {"--bogus", "lo"})) {
            try (ExampleRun run = ExampleRun.start("xdp-example", Main::run, args)) {
                assertEquals(2, run.awaitExit(Duration.ofSeconds(10)), String.join(" ", args));
                assertEquals("usage: xdp [--seconds N] INTERFACE | xdp --test-run N\n", run.err());
            }
        }
        try (ExampleRun run = ExampleRun.start("xdp-example", Main::run, "no-such-nic0")) {
            assertEquals(1, run.awaitExit(Duration.ofSeconds(10)));
            assertEquals("xdp: no interface no-such-nic0\n", run.err());
        }
    }

    /** A veth pair: one end here, its peer in a new network namespace with IPv6 off. */
    static final class Veth implements AutoCloseable {
        static final String HOST_IP = "10.231.0.1", PEER_IP = "10.231.0.2";
        final String ns, hostName, peerName;

        private Veth(String tag) {
            ns = "bpf4j-ex-" + tag;
            hostName = "bx" + tag + "a";
            peerName = "bx" + tag + "b";
        }

        static Veth create() throws IOException, InterruptedException {
            Veth v = new Veth(Long.toString(ProcessHandle.current().pid() % 100000));
            try {
                v.ip("netns", "add", v.ns);
                v.ip("link", "add", v.hostName, "type", "veth", "peer", "name", v.peerName);
                v.ip("link", "set", v.peerName, "netns", v.ns);
                v.ip("addr", "add", HOST_IP + "/30", "dev", v.hostName);
                v.ip("link", "set", v.hostName, "up");
                sh("ip", "netns", "exec", v.ns, "sysctl", "-qw", "net.ipv6.conf." + v.peerName + ".disable_ipv6=1");
                v.ip("-n", v.ns, "addr", "add", PEER_IP + "/30", "dev", v.peerName);
                v.ip("-n", v.ns, "link", "set", v.peerName, "up");
                return v;
            } catch (IOException | RuntimeException | Error e) {
                v.close();
                throw e;
            }
        }

        /** {@code count} UDP datagrams from the peer to this end, one socket each (bash's /dev/udp). */
        void sendFromPeer(int port, int count) throws IOException, InterruptedException {
            sh("ip", "netns", "exec", ns, "bash", "-c",
                    "for i in $(seq " + count + "); do printf x > /dev/udp/" + HOST_IP + "/" + port + "; done");
        }

        void ip(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("ip"));
            cmd.addAll(List.of(args));
            sh(cmd.toArray(String[]::new));
        }

        static void sh(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.strip());
        }

        @Override
        public void close() throws IOException, InterruptedException {
            // Deleting the namespace deletes the peer, and with it this end.
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor();
            new ProcessBuilder("ip", "link", "del", hostName).redirectErrorStream(true).start().waitFor();
        }
    }
}
