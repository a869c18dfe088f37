package io.bpf4j.bench;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a tool does at start-up: read the kernel's BTF and find one struct. The C reference,
 * {@code bench/btf_parse.c}, does the same with libbpf ({@code btf__parse} +
 * {@code btf__find_by_name_kind}); {@code bench/run} prints both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BtfBench {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    /** As a tool does it: {@link Btf#read} maps vmlinux where the kernel allows (6.16+). */
    @Benchmark
    public BtfType parseVmlinuxAndFindBpfMap() {
        return Btf.read(VMLINUX).findByName("bpf_map", BtfKind.STRUCT).orElseThrow();
    }

    /** The same from a plain read of the file into a byte array, as libbpf 1.1 does it. */
    @Benchmark
    public BtfType readBytesParseAndFindBpfMap() throws IOException {
        return Btf.parse(Files.readAllBytes(VMLINUX)).findByName("bpf_map", BtfKind.STRUCT).orElseThrow();
    }
}
