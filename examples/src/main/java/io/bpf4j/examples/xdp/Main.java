package io.bpf4j.examples.xdp;

import io.bpf4j.ArrayMapView;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfProgram;
import io.bpf4j.ProgArray;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * Counts frames by EtherType with an XDP program that tail-calls into one handler per protocol.
 *
 * <pre>
 * xdp [--seconds N] INTERFACE      attach to an interface, print the counters once a second
 * xdp --test-run N                 run N IPv4, N IPv6 and N ARP frames through BPF_PROG_TEST_RUN
 * </pre>
 *
 * Each report is one line: {@code entry E ipv4 A ipv6 B other C}, where {@code E = A + B + C}:
 * every frame the entry program saw went to exactly one handler, or stayed ("other").
 */
public final class Main {
    private Main() {}

    /** Program array slots and counter indexes of xdp_tailcall.bpf.c. */
    static final int SLOT_IPV4 = 0, SLOT_IPV6 = 1;
    static final int ENTRY = 0, IPV4 = 1, IPV6 = 2, OTHER = 3;
    static final int XDP_PASS = 2;

    /** Runs the example; exits 2 on a usage error, 1 if the kernel refuses what it needs. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        long seconds = Long.MAX_VALUE;
        int testRuns = 0;
        String ifname = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Long.parseLong(args[++i]);
                    case "--test-run" -> testRuns = Integer.parseInt(args[++i]);
                    default -> {
                        if (args[i].startsWith("-")) throw new IllegalArgumentException(args[i]);
                        ifname = args[i];
                    }
                }
            }
            if ((ifname == null) == (testRuns <= 0)) throw new IllegalArgumentException();
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println("usage: xdp [--seconds N] INTERFACE | xdp --test-run N");
            return 2;
        }
        int ifindex = 0;
        if (ifname != null) {
            try {
                NetworkInterface nic = NetworkInterface.getByName(ifname);
                if (nic == null) {
                    err.println("xdp: no interface " + ifname);
                    return 1;
                }
                ifindex = nic.getIndex();
            } catch (SocketException e) {
                err.println("xdp: " + ifname + ": " + e.getMessage());
                return 1;
            }
        }

        try (BpfObject obj = BpfObject.load(object("xdp_tailcall.bpf.o"))) {
            // The tail call targets: a slot left empty makes bpf_tail_call() return to the caller.
            ProgArray handlers = new ProgArray(obj.map("handlers"));
            handlers.set(SLOT_IPV4, obj.program("handle_ipv4"));
            handlers.set(SLOT_IPV6, obj.program("handle_ipv6"));
            ArrayMapView counters = new ArrayMapView(obj.map("counters"));

            if (testRuns > 0) {
                BpfProgram dispatch = obj.program("dispatch");
                for (int etherType : new int[] {0x0800, 0x86DD, 0x0806}) {
                    int verdict = dispatch.testRun(frame(etherType), testRuns).retval();
                    if (verdict != XDP_PASS) throw new IllegalStateException("verdict " + verdict + ", expected XDP_PASS");
                }
                out.println(report(counters));
                return 0;
            }
            try (BpfLink link = obj.attachXdp("dispatch", ifindex, 0)) {
                out.println("attached to " + ifname + " (ifindex " + ifindex + ")");
                for (long s = 0; s < seconds; s++) {
                    Thread.sleep(1000);
                    out.println(report(counters));
                }
            }
            return 0;
        } catch (BpfException e) {
            err.println("xdp: " + e.getMessage());
            return 1;
        }
    }

    static String report(ArrayMapView counters) {
        return "entry " + counters.getLong(ENTRY) + " ipv4 " + counters.getLong(IPV4)
                + " ipv6 " + counters.getLong(IPV6) + " other " + counters.getLong(OTHER);
    }

    /** A 64-byte Ethernet frame of the given EtherType, from and to made-up addresses. */
    static byte[] frame(int etherType) {
        byte[] f = new byte[64];
        for (int i = 0; i < 12; i++) f[i] = (byte) (i < 6 ? 0x02 : 0x04);
        f[12] = (byte) (etherType >> 8);
        f[13] = (byte) etherType;
        return f;
    }

    /** Parses an object compiled from examples/src/main/bpf, one of this module's resources. */
    static ObjectSpec object(String file) {
        String path = "/io/bpf4j/examples/bpf/" + file;
        try (InputStream in = Main.class.getResourceAsStream(path)) {
            return ObjectSpec.read(in, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
