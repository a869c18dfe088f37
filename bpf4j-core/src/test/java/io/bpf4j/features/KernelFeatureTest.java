package io.bpf4j.features;

import io.bpf4j.BpfException;
import io.bpf4j.UnsupportedFeatureException;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.KernelRelease;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The feature probes on the running kernel. What a kernel guarantees is asserted: a feature
 * that needs no build option is present on every kernel at or after its first release, unless
 * policy stops the probe (EPERM); and the probe is asked once.
 */
class KernelFeatureTest {
    static boolean atLeast(String version) {
        String[] v = version.split("\\.");
        return KernelRelease.running().atLeast(Integer.parseInt(v[0]), Integer.parseInt(v[1]));
    }

    @Test
    void everyFeatureAKernelThisNewMustHaveIsFoundUnlessPolicyForbidsTheProbe() {
        for (KernelFeature f : KernelFeature.values()) {
            Probe p = Features.probe(f);
            if (!f.configDependent() && atLeast(f.minimumKernel())) {
                assertTrue(p.supported() || (p.verdict() == Probe.Verdict.UNKNOWN && p.errno() == Errno.EPERM),
                        f + " on Linux " + KernelRelease.running() + ": " + p);
            }
            if (p.verdict() == Probe.Verdict.NOT_SUPPORTED) {
                var e = assertThrows(UnsupportedFeatureException.class, () -> Features.require(f));
                assertEquals(f.title(), e.feature());
                assertEquals(f.minimumKernel(), e.minimumKernel());
                assertTrue(e.getMessage().startsWith(f.title() + ": not supported by this kernel (requires Linux " + f.minimumKernel()),
                        e.getMessage());
            } else if (p.supported()) {
                assertDoesNotThrow(() -> Features.require(f));
            } else {
                var e = assertThrows(BpfException.class, () -> Features.require(f));
                assertFalse(e instanceof UnsupportedFeatureException, "could not tell is not 'unsupported': " + e.getMessage());
            }
        }
    }

    @Test
    void aDefiniteAnswerIsCachedAndTheSameObjectIsReturned() {
        Probe first = Features.probe(KernelFeature.RINGBUF);
        assertNotEquals(Probe.Verdict.UNKNOWN, first.verdict(), "root can create a ring buffer or be told it cannot");
        assertSame(first, Features.probe(KernelFeature.RINGBUF));
    }

    @Test
    void kprobesAreFoundExactlyWhenTheKprobePmuExists() {
        boolean pmu = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/bus/event_source/devices/kprobe/type"));
        assertEquals(pmu, Features.has(KernelFeature.KPROBES));
    }
}
