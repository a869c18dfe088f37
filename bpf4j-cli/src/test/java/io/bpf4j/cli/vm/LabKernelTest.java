package io.bpf4j.cli.vm;

import io.bpf4j.lab.CachedKernel;
import io.bpf4j.lab.KernelSpec;
import io.bpf4j.lab.KernelStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves the lab itself, inside a guest started by {@code lab/kernel-tests}: the guest runs the
 * kernel that was asked for (so a lab run can never silently pass on the host's kernel), and it
 * offers what this host refuses, starting with /proc/kcore.
 */
@Tag("kernel")
class LabKernelTest {

    /** The spec the lab runner booted, e.g. "6.1"; it sets BPF4J_LAB_KERNEL for every guest. */
    private static String requestedSpec() {
        String spec = System.getenv("BPF4J_LAB_KERNEL");
        assertNotNull(spec, "BPF4J_LAB_KERNEL is not set: kernel-tagged tests run in the lab (lab/kernel-tests), not on the host");
        return spec;
    }

    @Test
    void guestRunsTheKernelTheLabAskedFor() throws Exception {
        String spec = requestedSpec();
        KernelSpec parsed = KernelSpec.parse(spec);
        KernelStore store = new KernelStore(KernelStore.defaultCacheRoot());
        CachedKernel expected = parsed instanceof KernelSpec.Local l
                ? store.get(KernelStore.localName(l)).orElseThrow()
                : store.byAlias(spec).orElseThrow(() -> new AssertionError("no cached kernel for spec " + spec + " in " + store.kernelsDir()));
        String running = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        assertEquals(expected.release(), running, "uname -r in the guest");
        if (expected.source().equals("debian")) {
            // Debian's /proc/version ends with "Debian <package version> (<date>)": the exact build, not just the ABI name.
            String version = Files.readString(Path.of("/proc/version"));
            assertTrue(version.contains("Debian " + expected.version() + " "), "/proc/version names " + expected.version() + ": " + version);
        }
    }

    /**
     * The guest's /tmp shows the host's files (an overlay in guest memory over the read-only
     * host root), so a tree cloned under the host's /tmp runs its lab like any other; what the
     * guest writes there stays in the guest.
     */
    @Test
    void theHostsTmpIsVisibleAndWritableInTheGuest() throws Exception {
        requestedSpec();
        String marker = System.getenv("BPF4J_LAB_HOST_TMP");
        assertNotNull(marker, "lab/kernel-tests names a file it made in the host's /tmp");
        assertEquals("seen from the guest\n", Files.readString(Path.of(marker)));
        Path mine = Files.createTempFile("bpf4j-guest", ".txt");
        Files.writeString(mine, "guest");
        assertEquals("guest", Files.readString(mine));
        Files.delete(mine);
    }

    @Test
    void procKcoreIsAnElf64CoreFileForX86_64() throws Exception {
        requestedSpec();
        byte[] h = new byte[64];
        try (InputStream in = Files.newInputStream(Path.of("/proc/kcore"))) {
            assertEquals(64, in.readNBytes(h, 0, 64), "an ELF64 header is 64 bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, b.getInt(0), "ELF magic");
        assertEquals(2, h[4], "EI_CLASS: ELFCLASS64");
        assertEquals(1, h[5], "EI_DATA: little endian");
        assertEquals(4, b.getShort(16), "e_type: ET_CORE");
        assertEquals(62, b.getShort(18), "e_machine: EM_X86_64");
        assertEquals(64, b.getLong(32), "e_phoff: program headers follow the ELF header");
        assertEquals(56, b.getShort(54), "e_phentsize: Elf64_Phdr");
        assertTrue(b.getShort(56) >= 2, "e_phnum: a PT_NOTE and at least one PT_LOAD");
    }
}
