package io.bpf4j.bench;

import io.bpf4j.BpfMap;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Hash map update + lookup through the segment API (no allocation per op), against libbpf's
 * bpf_map_update_elem + bpf_map_lookup_elem in bench/map_ops.c. Target: at most 1.2x libbpf.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MapBench {
    BpfMap map;
    Arena arena;
    MemorySegment key, value, out;
    int k;
    long v;

    @Setup(Level.Trial)
    public void setup() {
        map = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 1024).withName("bench_hash"));
        arena = Arena.ofConfined();
        key = arena.allocate(4, 4);
        value = arena.allocate(8, 8);
        out = arena.allocate(8, 8);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        map.close();
        arena.close();
    }

    @Benchmark
    public long updateThenLookup() {
        k = (k + 1) & 1023;
        key.set(JAVA_INT, 0, k);
        value.set(JAVA_LONG, 0, ++v);
        map.update(key, value, BpfMap.ANY);
        map.lookup(key, out);
        return out.get(JAVA_LONG, 0);
    }
}
