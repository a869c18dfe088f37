package io.bpf4j;

import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Insn;
import io.bpf4j.fixtures.TestPrograms;
import io.bpf4j.kernel.Kallsyms;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.bpf4j.fixtures.TestPrograms.XDP_PASS;
import static io.bpf4j.fixtures.TestPrograms.XDP_TX;
import static org.junit.jupiter.api.Assertions.*;

/** Maps, programs and prog arrays against this machine's kernel (needs root). */
class KernelObjectsTest {
    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open after the tests of this class");
        assertEquals(0, Fd.leaked(), "fds closed by the Cleaner, not by their owner");
    }

    @Test
    void hashMapUpdateLookupDeleteIterateAsTheKernelReports() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 64).withName("t_hash"))) {
            MapInfo i = m.info();
            assertEquals(MapType.HASH, i.type());
            assertEquals("t_hash", i.name());
            assertEquals(4, i.keySize());
            assertEquals(8, i.valueSize());
            assertEquals(64, i.maxEntries());
            assertTrue(i.id() > 0);
            for (int k = 0; k < 10; k++) m.update(u32(k), u64(k * 100L), BpfMap.NOEXIST);
            assertEquals(500L, ByteBuffer.wrap(m.lookup(u32(5)).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong());
            assertTrue(m.lookup(u32(99)).isEmpty());
            BpfException dup = assertThrows(BpfException.class, () -> m.update(u32(1), u64(0), BpfMap.NOEXIST));
            assertEquals(Errno.EEXIST, dup.errno());
            // The hint is the knowledge base's cause for this call (R-M09).
            assertTrue(dup.getMessage().startsWith("update: file exists (BPF_NOEXIST inserts only a new key, and this key is already in map "),
                    dup.getMessage());
            assertTrue(m.delete(u32(3)));
            assertFalse(m.delete(u32(3)));
            Set<Integer> keys = new HashSet<>();
            for (byte[] k : m.keys()) keys.add(u32(k));
            assertEquals(Set.of(0, 1, 2, 4, 5, 6, 7, 8, 9), keys);
        }
    }

    @Test
    void batchOperationsOnHashMap() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 128))) {
            List<BpfMap.Entry> in = new ArrayList<>();
            for (int k = 0; k < 100; k++) in.add(new BpfMap.Entry(u32(k), u64(k + 7)));
            assertEquals(100, m.updateBatch(in, 0));
            List<BpfMap.Entry> out = m.lookupBatch(1000);
            assertEquals(100, out.size());
            for (BpfMap.Entry e : out) assertEquals(u32(e.key()) + 7, u32(e.value()));
            assertEquals(50, m.deleteBatch(in.subList(0, 50).stream().map(BpfMap.Entry::key).toList()));
            assertEquals(50, m.lookupBatch(1000).size());
        }
    }

    @Test
    void arrayPerCpuQueueLruRingbufAndLpmMapsBehaveAsTheirTypes() {
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 8))) {
            assertArrayEquals(u32(0), a.lookup(u32(7)).orElseThrow(), "arrays are preallocated and zeroed");
            assertTrue(a.lookup(u32(8)).isEmpty(), "index past max_entries");
            BpfException e = assertThrows(BpfException.class, () -> a.delete(u32(1)));
            assertEquals(Errno.EINVAL, e.errno(), "array elements cannot be deleted");
        }
        try (BpfMap p = BpfMap.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 4, 2))) {
            byte[] v = p.lookup(u32(0)).orElseThrow();
            assertEquals(8L * Cpus.possible(), v.length, "one 8-byte-aligned value per possible CPU");
        }
        try (BpfMap q = BpfMap.create(MapSpec.of(MapType.QUEUE, 0, 4, 4))) {
            q.push(u32(1));
            q.push(u32(2));
            assertEquals(1, u32(q.pop().orElseThrow()), "FIFO");
            assertEquals(2, u32(q.pop().orElseThrow()));
            assertTrue(q.pop().isEmpty());
        }
        try (BpfMap s = BpfMap.create(MapSpec.of(MapType.STACK, 0, 4, 4))) {
            s.push(u32(1));
            s.push(u32(2));
            assertEquals(2, u32(s.pop().orElseThrow()), "LIFO");
        }
        try (BpfMap l = BpfMap.create(MapSpec.of(MapType.LRU_HASH, 4, 4, 16))) {
            for (int k = 0; k < 200; k++) l.update(u32(k), u32(k), BpfMap.ANY);
            int n = 0;
            for (byte[] ignored : l.keys()) n++;
            assertTrue(n <= 16 + Cpus.possible() * 2 && n > 0, "LRU evicts: " + n);
        }
        try (BpfMap r = BpfMap.create(MapSpec.of(MapType.RINGBUF, 0, 0, 4096))) {
            assertEquals(MapType.RINGBUF, r.info().type());
        }
        try (BpfMap t = BpfMap.create(MapSpec.of(MapType.LPM_TRIE, 8, 4, 16).withFlags(MapSpec.F_NO_PREALLOC))) {
            // key: u32 prefixlen + 4 address bytes; 10.0.0.0/8 matches 10.1.2.3
            byte[] net = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(8).put(new byte[] {10, 0, 0, 0}).array();
            t.update(net, u32(42), BpfMap.ANY);
            byte[] host = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(32).put(new byte[] {10, 1, 2, 3}).array();
            assertEquals(42, u32(t.lookup(host).orElseThrow()));
        }
    }

    @Test
    void socketFilterXdpAndKprobeProgramsLoadWithTheirTypes() {
        for (ProgType t : List.of(ProgType.SOCKET_FILTER, ProgType.XDP, ProgType.KPROBE)) {
            try (BpfProgram p = TestPrograms.load(t, "t_" + t.name().toLowerCase(), TestPrograms.returning(0))) {
                ProgInfo i = p.info();
                assertEquals(t, i.type());
                assertEquals(("t_" + t.name().toLowerCase()).substring(0, Math.min(15, t.name().length() + 2)), i.name());
                assertEquals(16, i.xlatedLen() > 0 ? 16 : -1, "two instructions");
                assertTrue(i.loadTime() > 0);
                assertEquals(16, i.tag().length());
            }
        }
    }

    @Test
    void verifierRejectionCarriesTheLogAndCause() {
        List<Insn> exitOnly = new Asm().exit().assemble();
        VerifierException e = assertThrows(VerifierException.class,
                () -> BpfProgram.load(ProgramSpec.of(ProgType.XDP, exitOnly, "GPL")));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.log().contains("R0 !read_ok"), e.log());
        assertTrue(e.getMessage().contains("R0 !read_ok"), e.getMessage());
    }

    @Test
    void progArrayOwnedByKprobeProgramTakesKprobesAndRefusesXdp() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4).withName("t_progs"))) {
            assertTrue(FdInfo.of(progs.fd()).ownerProgType().isEmpty(), "no owner before any program uses it");
            try (BpfProgram caller = TestPrograms.load(ProgType.KPROBE, "t_caller", TestPrograms.tailCalling(progs, 0, 0));
                 BpfProgram target = TestPrograms.loadNamed(ProgType.KPROBE, "t_target", "t_target_with_long_name",
                         TestPrograms.returning(0));
                 BpfProgram xdp = TestPrograms.load(ProgType.XDP, "t_xdp", TestPrograms.returning(XDP_PASS))) {
                // bpf_check_tail_call() at load claimed the map for the caller's type.
                FdInfo fi = FdInfo.of(progs.fd());
                assertEquals(ProgType.KPROBE.value(), fi.ownerProgType().getAsInt());
                assertEquals("BPF_PROG_TYPE_KPROBE", fi.ownerProgTypeName());
                assertEquals(caller.info().jited(), fi.ownerJited());
                assertArrayEquals(new int[] {progs.id()}, caller.info().mapIds());

                progs.update(u32(1), u32(target.fd().raw()), BpfMap.ANY);
                assertEquals(target.id(), u32(progs.lookup(u32(1)).orElseThrow()), "lookup gives the program id");
                assertTrue(progs.lookup(u32(0)).isEmpty(), "empty slot is ENOENT");

                BpfException e = assertThrows(BpfException.class,
                        () -> progs.update(u32(2), u32(xdp.fd().raw()), BpfMap.ANY));
                assertEquals(Errno.EINVAL, e.errno(), "owner type mismatch");
                assertTrue(e.getMessage().startsWith("update: invalid argument (map "), e.getMessage());
                assertTrue(e.getMessage().contains("is owned by BPF_PROG_TYPE_KPROBE programs"), e.getMessage());
            }
        }
    }

    @Test
    void xdpTailCallThroughProgArrayIsProvenByTestRun() {
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 1));
             BpfProgram entry = TestPrograms.load(ProgType.XDP, "t_entry", TestPrograms.tailCalling(progs, 0, XDP_PASS));
             BpfProgram tx = TestPrograms.load(ProgType.XDP, "t_tx", TestPrograms.returning(XDP_TX))) {
            byte[] packet = new byte[64];
            assertEquals(XDP_PASS, entry.testRun(packet, 1).retval(), "empty slot: tail call falls through");
            progs.update(u32(0), u32(tx.fd().raw()), BpfMap.ANY);
            assertEquals(XDP_TX, entry.testRun(packet, 1).retval(), "the tail-called program's verdict");
            assertTrue(progs.delete(u32(0)));
            assertEquals(XDP_PASS, entry.testRun(packet, 1).retval());
        }
    }

    @Test
    void ksymOfJitedProgramIsInKallsymsAtTheInfoAddress() {
        try (BpfProgram p = TestPrograms.loadNamed(ProgType.XDP, "t_ksym", "t_ksym_full_function_name",
                TestPrograms.returning(XDP_PASS))) {
            ProgInfo i = p.info();
            assumeJited(i);
            Kallsyms ks = Kallsyms.load();
            String expected = "bpf_prog_" + i.tag() + "_t_ksym_full_function_name";
            Kallsyms.Symbol s = ks.first(expected).orElseThrow(() -> new AssertionError(expected + " not in kallsyms"));
            assertEquals(i.jitedKsyms()[0], s.address());
            assertEquals("bpf", s.module());
            assertEquals(1, i.funcInfo().size());
        }
    }

    static void assumeJited(ProgInfo i) {
        org.junit.jupiter.api.Assumptions.assumeTrue(i.jited(), "missing feature: BPF JIT (net.core.bpf_jit_enable=0)");
    }

    @Test
    void openByIdAndEnumerateIds() {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName("t_byid"))) {
            int id = m.id();
            assertTrue(ObjectIds.all(ObjectIds.Kind.MAP).contains(id));
            try (BpfMap again = BpfMap.fromId(id)) {
                assertEquals("t_byid", again.info().name());
                assertNotEquals(m.fd().raw(), again.fd().raw());
            }
        }
        BpfException e = assertThrows(BpfException.class, () -> BpfProgram.fromId(Integer.MAX_VALUE));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("no program with id 2147483647: no such file or directory", e.getMessage());
    }

    @Test
    void failuresLeakNoFileDescriptors() throws Exception {
        long before = openFds();
        for (int i = 0; i < 50; i++) {
            assertThrows(BpfException.class, () -> BpfMap.fromId(Integer.MAX_VALUE - 1));
            assertThrows(VerifierException.class,
                    () -> BpfProgram.load(ProgramSpec.of(ProgType.XDP, new Asm().exit().assemble(), "GPL")));
            assertThrows(BpfException.class, () -> BpfMap.create(MapSpec.of(MapType.HASH, 0, 0, 0)));
            try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1))) {
                assertThrows(BpfException.class, () -> m.update(u32(5), u32(0), BpfMap.ANY));
            }
        }
        assertEquals(before, openFds(), "/proc/self/fd count changed");
    }

    static long openFds() throws Exception {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
