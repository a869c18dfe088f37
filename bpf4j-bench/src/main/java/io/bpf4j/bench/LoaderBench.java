package io.bpf4j.bench;

import io.bpf4j.btf.Btf;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import java.io.IOException;
import java.net.URISyntaxException;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The loader on an object with 30 programs (many.bpf.o: 15 XDP, 15 socket filters, a map,
 * global data, two subprograms each): parse into a spec, and load it into the kernel. C
 * references: {@code bench/object_parse.c} ({@code bpf_object__open_mem}) and
 * {@code bench/object_load.c} ({@code bpf_object__open_mem} + {@code bpf_object__load}).
 * The kernel's BTF is read once for Java (Btf.kernel() caches it); libbpf reads it per load.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LoaderBench {
    private byte[] object;
    private ObjectSpec spec;

    /** The committed test object, found from this jar's place in the repository. */
    static Path objectPath() throws URISyntaxException {
        Path jar = Path.of(LoaderBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path root = jar.getParent().getParent().getParent(); // <root>/bpf4j-bench/target/benchmarks.jar
        return root.resolve("bpf4j-core/src/test/resources/io/bpf4j/loader/many.bpf.o");
    }

    @Setup
    public void setup() throws IOException, URISyntaxException {
        object = Files.readAllBytes(objectPath());
        spec = ObjectSpec.parse(object, "many");
        Btf.kernel();
    }

    /**
     * Sixty seconds of warm-up, so that the measurement sees C2's code also on a 2-core machine
     * shared with other work, where the compiler threads get a small share. On an idle one, with
     * the pre-touched heap bench/run gives the JVM, the parse is at its ~50 us/op within 2-3 s
     * (where {@code bench/run -q} starts measuring); with G1's growing default heap the first
     * touches of new memory kept it at 60-870 us/op for seconds (see bench/run).
     */
    @Benchmark
    @Warmup(iterations = 30, time = 2)
    public ObjectSpec parseObjectWith30Programs() {
        return ObjectSpec.parse(object, "many");
    }

    @Benchmark
    public int loadObjectWith30Programs() {
        try (BpfObject o = BpfObject.load(spec.copy())) {
            return o.programs().size();
        }
    }
}
