package io.bpf4j.cli.top;

import io.bpf4j.BpfProgram;
import io.bpf4j.ProgType;
import io.bpf4j.asm.Asm;
import io.bpf4j.fixtures.TestPrograms;

import java.util.concurrent.locks.LockSupport;

import static io.bpf4j.asm.Reg.R0;
import static io.bpf4j.asm.Reg.R2;

/**
 * Runs a program with BPF_PROG_TEST_RUN (repeat 1) at a paced rate on a thread of its own, and
 * measures the rate it achieved from the time of each run: the reference top's numbers are
 * compared with. Pacing keeps to a schedule, so a stalled thread catches up and every second
 * holds the target's number of runs unless the stall outlasts it.
 */
final class Driver implements AutoCloseable {
    static final byte[] PACKET = new byte[64];

    final BpfProgram prog;
    final double perSecond;
    private final long[] at;
    private volatile int n;
    private volatile boolean stop;
    private final Thread thread;

    Driver(BpfProgram prog, double perSecond, int maxSeconds) {
        this.prog = prog;
        this.perSecond = perSecond;
        this.at = new long[(int) (perSecond * maxSeconds * 1.2) + 16];
        this.thread = Thread.ofPlatform().daemon().name("driver-" + prog.name()).start(this::run);
    }

    private void run() {
        long period = (long) (1e9 / perSecond);
        long next = System.nanoTime();
        while (!stop && n < at.length) {
            next += period;
            long wait;
            while ((wait = next - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
            prog.testRun(PACKET, 1);
            at[n] = System.nanoTime();
            n = n + 1; // one writer
        }
    }

    /** nanoTime minus wall-clock nanoseconds, to map a wall-clock time top printed onto the runs' times. */
    private static final long WALL_TO_NANO;
    static {
        java.time.Instant w = java.time.Instant.now();
        WALL_TO_NANO = System.nanoTime() - (w.getEpochSecond() * 1_000_000_000L + w.getNano());
    }

    /** Runs per second in the {@code ns} before a wall-clock time. */
    double rateBefore(java.time.Instant end, long ns) {
        long to = end.getEpochSecond() * 1_000_000_000L + end.getNano() + WALL_TO_NANO;
        return rate(to - ns, to);
    }

    /** Runs per second between two nanoTime instants, from the runs' own times. */
    double rate(long fromNs, long toNs) {
        int count = 0, last = n;
        for (int i = 0; i < last; i++) if (at[i] > fromNs && at[i] <= toNs) count++;
        return count * 1e9 / (toNs - fromNs);
    }

    /**
     * The lowest and highest rate over any window of about {@code windowNs} (90% to 110% of it:
     * top's reads are an interval apart only on average) that ends between {@code fromNs} and
     * {@code toNs} (in 10 ms steps): where a sample of top can lie when only that much is known
     * of its end. A steady driver gives a narrow range; a stalled one that caught up a wide one,
     * as top's number then depends on where its window fell.
     */
    double[] rateRange(long windowNs, long fromNs, long toNs) {
        double lo = Double.MAX_VALUE, hi = 0;
        for (long len : new long[] {windowNs * 9 / 10, windowNs, windowNs * 11 / 10}) {
            for (long end = fromNs; end <= toNs; end += 10_000_000L) {
                double r = rate(end - len, end);
                lo = Math.min(lo, r);
                hi = Math.max(hi, r);
            }
        }
        return new double[] {lo, hi};
    }

    int runs() {
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
    }

    /** A socket filter that returns at once: cheap runs. */
    static BpfProgram cheap(String name) {
        return TestPrograms.load(ProgType.SOCKET_FILTER, name, TestPrograms.returning(0));
    }

    /** An XDP program of 4000 additions: runs of a microsecond or more, well above the cheap one's. */
    static BpfProgram costly(String name) {
        Asm a = new Asm().mov64(R2, 0);
        for (int i = 0; i < 4000; i++) a.add64(R2, 1);
        return TestPrograms.load(ProgType.XDP, name, a.mov64(R0, TestPrograms.XDP_PASS).exit().bytes());
    }

    /** A name suffix of this run, so a test finds its own programs among everyone's. */
    static String suffix() {
        return Long.toHexString(System.nanoTime() & 0xffffff);
    }
}
