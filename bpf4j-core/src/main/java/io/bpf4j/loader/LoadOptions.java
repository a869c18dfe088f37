package io.bpf4j.loader;

import io.bpf4j.BpfMap;
import io.bpf4j.btf.Btf;

import java.util.HashMap;
import java.util.Map;

/**
 * How {@link BpfObject#load} loads an object.
 *
 * @param kernelBtf       target BTF for CO-RE and attach targets; null means the running kernel's
 *                        ({@link Btf#kernel()}, read once and cached)
 * @param mapReplacements maps of other objects to use instead of creating the named maps (as
 *                        cilium/ebpf's MapReplacements): the caller keeps owning them
 * @param pinRoot         bpffs directory for maps with {@code pinning = LIBBPF_PIN_BY_NAME}
 * @param logLevel        verifier log level for successful loads too (0: log only on failure)
 */
public record LoadOptions(Btf kernelBtf, Map<String, BpfMap> mapReplacements, String pinRoot, int logLevel) {
    public LoadOptions {
        mapReplacements = Map.copyOf(mapReplacements);
        if (pinRoot == null) pinRoot = "/sys/fs/bpf";
    }

    public static LoadOptions defaults() {
        return new LoadOptions(null, Map.of(), null, 0);
    }

    public LoadOptions withKernelBtf(Btf btf) {
        return new LoadOptions(btf, mapReplacements, pinRoot, logLevel);
    }

    /** Uses {@code map} for the object's map {@code name}; it must have the same type and sizes. */
    public LoadOptions replaceMap(String name, BpfMap map) {
        Map<String, BpfMap> m = new HashMap<>(mapReplacements);
        m.put(name, map);
        return new LoadOptions(kernelBtf, m, pinRoot, logLevel);
    }

    public LoadOptions withPinRoot(String dir) {
        return new LoadOptions(kernelBtf, mapReplacements, dir, logLevel);
    }
}
