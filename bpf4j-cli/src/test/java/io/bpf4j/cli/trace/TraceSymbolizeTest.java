package io.bpf4j.cli.trace;

import io.bpf4j.cli.CliRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** {@code -k} and {@code -s} on the host: checked before anything is attached, one line each. */
class TraceSymbolizeTest {
    @Test
    void anUnreadableVmlinuxIsRefusedBeforeAttaching() {
        CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-k", "/nonexistent/vmlinux", "--duration", "1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("bpf4j trace: -k /nonexistent/vmlinux: not a readable file"), r.err());
        assertFalse(r.out().contains("Receiving data"), r.out());
    }

    @Test
    void aFileThatIsNotAVmlinuxIsRefused() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("not-vmlinux", ".txt");
        try {
            java.nio.file.Files.writeString(f, "x".repeat(100));
            CliRun r = CliRun.of("trace", "-e", "__x64_sys_bpf", "-k", f.toString(), "--duration", "1");
            assertTrue(r.err().contains("Warning: -k " + f + " is not a vmlinux (" + f + ": ELF: not an ELF file (bad magic)); no file:line."), r.err());
        } finally {
            java.nio.file.Files.delete(f);
        }
    }

    @Test
    void symbolizeModesAreRetsnoops() {
        CliRun bad = CliRun.of("trace", "-e", "__x64_sys_bpf", "-sx", "--duration", "1");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("-s x: use -s (file:line) or -sn (kallsyms only)"), bad.err());
        CliRun none = CliRun.of("trace", "-e", "__x64_sys_bpf", "-sn", "-k", "/nonexistent/vmlinux", "--dry-run");
        assertEquals(0, none.exit(), none.err());
    }
}
