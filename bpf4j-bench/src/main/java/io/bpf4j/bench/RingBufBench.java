package io.bpf4j.bench;

import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Helper;
import io.bpf4j.asm.Size;
import io.bpf4j.ringbuf.RecordHandler;
import io.bpf4j.ringbuf.RingBufReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static io.bpf4j.asm.Reg.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Drain of a ring buffer holding {@value #RECORDS} 128-byte records, through the zero-copy
 * handler (which reads one word of each record). The buffer is filled before each invocation by
 * one BPF_PROG_TEST_RUN of an XDP program calling bpf_ringbuf_output {@value #RECORDS} times, so
 * only the drain is timed. Score: ns per record; target at most 100 ns (10 M records/s). The C
 * reference, bench/ringbuf_drain.c, drains the same way with libbpf's ring_buffer__consume.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RingBufBench {
    static final int RECORDS = 1 << 18, RECORD_SIZE = 128;

    BpfMap ringbuf;
    BpfProgram producer;
    RingBufReader reader;
    long sum;
    final RecordHandler handler = rec -> sum += rec.get(JAVA_LONG, 0);
    static final byte[] PACKET = new byte[64];

    /** XDP: fill 128 bytes of stack with the words 0..15, then bpf_ringbuf_output them. */
    static byte[] producerCode(int mapFd) {
        Asm a = new Asm();
        for (int i = 0; i < RECORD_SIZE / 8; i++) a.mov64(R1, i).stx(Size.DW, R10, -RECORD_SIZE + 8 * i, R1);
        return a.ldMapFd(R1, mapFd).mov64(R2, R10).add64(R2, -RECORD_SIZE).mov64(R3, RECORD_SIZE).mov64(R4, 0)
                .call(Helper.RINGBUF_OUTPUT)
                .mov64(R0, 2)
                .exit()
                .bytes();
    }

    @Setup(Level.Trial)
    public void setup() {
        // 64 MiB holds the 36 MiB of records (136 bytes each with the header).
        ringbuf = BpfMap.create(MapSpec.of(MapType.RINGBUF, 0, 0, 64 << 20).withName("bench_rb"));
        producer = BpfProgram.load(ProgramSpec.of(ProgType.XDP, producerCode(ringbuf.fd().raw()), "GPL").withName("bench_rb_fill"));
        reader = RingBufReader.open(ringbuf);
    }

    @Setup(Level.Invocation)
    public void fill() {
        producer.testRun(PACKET, RECORDS);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long drainZeroCopy() {
        int n = reader.consume(handler);
        if (n != RECORDS) throw new IllegalStateException("drained " + n + " records, expected " + RECORDS);
        return sum;
    }

    /** The copying API on the same records, for comparison: one byte[] per record. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int drainCopying() {
        int n = reader.readAll(0).size();
        if (n != RECORDS) throw new IllegalStateException("drained " + n + " records, expected " + RECORDS);
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
        producer.close();
        ringbuf.close();
    }
}
