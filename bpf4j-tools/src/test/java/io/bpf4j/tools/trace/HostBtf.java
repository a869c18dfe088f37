package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** This machine's kernel BTF, for the tests that type arguments with it; they are skipped only where it is missing. */
final class HostBtf {
    private HostBtf() {}

    static Btf read() {
        Path p = Path.of("/sys/kernel/btf/vmlinux");
        assumeTrue(Files.isReadable(p), "no kernel BTF on this machine");
        return Btf.read(p);
    }
}
