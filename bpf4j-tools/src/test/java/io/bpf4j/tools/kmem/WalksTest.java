package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Walks over images laid out with the host kernel's real BTF (struct idr, xa_node, list_head,
 * hlist_node), then the same images corrupted: every walk ends with a result or a one-line
 * BpfException, never a hang or another exception.
 */
class WalksTest {
    static final Btf BTF = Btf.kernel();

    /** An IDR in fake memory, built the way the kernel's XArray stores it. */
    static final class IdrImage {
        final FakeMemory mem;
        final long idrAddr;
        final List<Long> nodes = new ArrayList<>();
        Kernel kernel;

        IdrImage(FakeMemory mem, long idrAddr) {
            this.mem = mem;
            this.idrAddr = idrAddr;
            this.kernel = kernelOf(mem);
        }

        Kernel kernelOf(FakeMemory m) {
            return new Kernel(m, BTF, Kallsyms.parse(String.format("%016x D prog_idr%n", idrAddr)));
        }

        KObject idr() {
            return kernel.variable("prog_idr", "struct idr");
        }

        static IdrImage build(int idrBase, Map<Long, Long> byId) {
            FakeMemory mem = new FakeMemory();
            Kernel probe = new Kernel(mem, BTF, null);
            long idr = mem.alloc(probe.object(0, "struct idr").size());
            IdrImage img = new IdrImage(mem, idr);
            KObject o = img.kernel.object(idr, "struct idr");
            mem.set(o.member("idr_base"), idrBase);
            KObject xa = o.member("idr_rt");
            long max = byId.keySet().stream().mapToLong(Long::longValue).max().orElse(0) - idrBase;
            if (byId.isEmpty()) return img;
            if (byId.size() == 1 && max == 0) {
                mem.set(xa.member("xa_head"), byId.values().iterator().next());
                return img;
            }
            int levels = 1;
            while ((max >>> (6 * levels)) != 0) levels++;
            long root = img.node(6 * (levels - 1), 0, 0, xa.address());
            for (Map.Entry<Long, Long> e : byId.entrySet()) {
                long idx = e.getKey() - idrBase;
                long node = root;
                for (int shift = 6 * (levels - 1); shift > 0; shift -= 6) {
                    int slot = (int) ((idx >>> shift) & 63);
                    KObject s = img.kernel.object(node, "struct xa_node").member("slots").index(slot);
                    long child = s.value();
                    if (child == 0) {
                        child = img.node(shift - 6, node, slot, xa.address()) | 2;
                        mem.set(s, child);
                    }
                    node = child - 2;
                }
                mem.set(img.kernel.object(node, "struct xa_node").member("slots").index(idx & 63), e.getValue());
            }
            mem.set(xa.member("xa_head"), root | 2);
            return img;
        }

        long node(int shift, long parent, int offset, long array) {
            KObject n = kernel.object(mem.alloc(kernel.object(0, "struct xa_node").size()), "struct xa_node");
            mem.set(n.member("shift"), shift);
            mem.set(n.member("offset"), offset);
            mem.set(n.member("parent"), parent);
            mem.set(n.member("array"), array);
            nodes.add(n.address());
            return n.address();
        }
    }

    static Map<Long, Long> sparseIds(Random r, int n, int maxId) {
        Map<Long, Long> m = new TreeMap<>();
        while (m.size() < n) {
            long id = 1 + r.nextInt(maxId);
            m.put(id, 0xffff888100000000L + id * 0x1000);
        }
        return m;
    }

    @Test
    void idrWalkReturnsEveryIdInOrderWithIdrBaseAdded() {
        Map<Long, Long> ids = sparseIds(new Random(1), 200, 100_000); // three levels of nodes
        IdrImage img = IdrImage.build(1, ids);
        List<Walks.Entry> got = Walks.idr(img.idr());
        assertEquals(new ArrayList<>(ids.keySet()), got.stream().map(Walks.Entry::index).toList());
        for (Walks.Entry e : got) assertEquals(ids.get(e.index()), e.pointer());
    }

    @Test
    void idrFindDescendsToTheEntryAndReturnsZeroForAbsentIds() {
        Map<Long, Long> ids = sparseIds(new Random(2), 50, 5000);
        IdrImage img = IdrImage.build(1, ids);
        for (long id = 0; id < 5100; id++) {
            assertEquals(ids.getOrDefault(id, 0L), Walks.idrFind(img.idr(), id), "id " + id);
        }
        assertEquals(0, Walks.idrFind(img.idr(), 1L << 40), "past the tree's reach");
    }

    @Test
    void singleEntryAtIndexZeroLivesInTheHeadItself() {
        IdrImage img = IdrImage.build(0, Map.of(0L, 0xffff888100001000L));
        assertEquals(List.of(new Walks.Entry(0, 0xffff888100001000L)), Walks.idr(img.idr()));
        assertEquals(0xffff888100001000L, Walks.idrFind(img.idr(), 0));
    }

    @Test
    void emptyIdrHasNoEntries() {
        assertEquals(List.of(), Walks.idr(IdrImage.build(1, Map.of()).idr()));
    }

    @Test
    void nodePointingBackAtItsAncestorIsATornReadNotALoop() {
        IdrImage img = IdrImage.build(1, sparseIds(new Random(3), 100, 100_000));
        long root = img.nodes.get(0), leaf = img.nodes.get(img.nodes.size() - 1);
        img.mem.set(img.kernel.object(leaf, "struct xa_node").member("slots").index(5), root | 2);
        BpfException e = assertThrows(BpfException.class, () -> Walks.idr(img.idr()));
        assertTrue(e.getMessage().contains("torn read"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void childWhoseParentPointerDisagreesIsDetected() {
        IdrImage img = IdrImage.build(1, sparseIds(new Random(4), 100, 100_000));
        long child = img.nodes.get(1);
        img.mem.set(img.kernel.object(child, "struct xa_node").member("parent"), 0xffff888000000040L);
        BpfException e = assertThrows(BpfException.class, () -> Walks.idr(img.idr()));
        assertTrue(e.getMessage().contains("names parent"), e.getMessage());
    }

    @Test
    void wildNodePointerIsAMemoryFaultNamingTheAddress() {
        IdrImage img = IdrImage.build(1, sparseIds(new Random(5), 100, 100_000));
        img.mem.set(img.kernel.object(img.nodes.get(0), "struct xa_node").member("slots").index(0), 0xffffdead00000002L);
        // Slot 0 of the root may have been empty; the walk must reach the wild pointer either way.
        MemoryFault f = assertThrows(MemoryFault.class, () -> Walks.idr(img.idr()));
        assertTrue(f.getMessage().contains("0xffffdead00000000"), f.getMessage());
    }

    @Test
    void corruptedIdrImagesEndInAResultOrABpfExceptionQuickly() {
        IdrImage clean = IdrImage.build(1, sparseIds(new Random(6), 200, 300_000));
        Random r = new Random(42);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 2000; round++) {
                FakeMemory m = clean.mem.copy();
                switch (round % 3) {
                    case 0 -> m.flipBits(r, 1 + r.nextInt(16));
                    case 1 -> { // re-point a slot at some node: cycles, wrong shifts, shared subtrees
                        long from = clean.nodes.get(r.nextInt(clean.nodes.size()));
                        long to = clean.nodes.get(r.nextInt(clean.nodes.size()));
                        Kernel k = clean.kernelOf(m);
                        m.set(k.object(from, "struct xa_node").member("slots").index(r.nextInt(64)), to | 2);
                    }
                    default -> m.regions.remove(clean.nodes.get(1 + r.nextInt(clean.nodes.size() - 1))); // truncated image
                }
                Kernel k = clean.kernelOf(m);
                try {
                    Walks.idr(k.variable("prog_idr", "struct idr"), 1 << 16);
                    Walks.idrFind(k.variable("prog_idr", "struct idr"), r.nextInt(300_000));
                    outcomes[0]++;
                } catch (BpfException e) {
                    assertNotNull(e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                    outcomes[1]++;
                }
            }
        });
        assertTrue(outcomes[1] > 500, "most corruptions are detected: " + outcomes[0] + " walked, " + outcomes[1] + " refused");
    }

    // ---- list_head and hlist ----

    /** A poke_progs-style list: head plus n prog_poke_elem nodes whose aux is 0x1000 * (i + 1). */
    static final class ListImage {
        final FakeMemory mem = new FakeMemory();
        final Kernel kernel = new Kernel(mem, BTF, null);
        final long head;
        final List<KObject> elems = new ArrayList<>();

        ListImage(int n) {
            head = mem.alloc(16);
            long prev = head;
            for (int i = 0; i < n; i++) {
                KObject e = kernel.object(mem.alloc(kernel.object(0, "struct prog_poke_elem").size()), "struct prog_poke_elem");
                mem.set(e.member("aux"), 0x1000L * (i + 1));
                mem.set(kernel.object(prev, "struct list_head").member("next"), e.member("list").address());
                mem.set(e.member("list.prev"), prev);
                prev = e.member("list").address();
                elems.add(e);
            }
            mem.set(kernel.object(prev, "struct list_head").member("next"), head);
            mem.set(kernel.object(head, "struct list_head").member("prev"), prev);
        }

        KObject headObj() {
            return kernel.object(head, "struct list_head");
        }
    }

    @Test
    void listWalkGivesTheContainersInOrder() {
        ListImage img = new ListImage(5);
        List<KObject> got = Walks.list(img.headObj(), "struct prog_poke_elem", "list");
        assertEquals(5, got.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(img.elems.get(i).address(), got.get(i).address());
            assertEquals(0x1000L * (i + 1), got.get(i).member("aux").pointer());
        }
        assertEquals(List.of(), Walks.list(new ListImage(0).headObj(), "struct prog_poke_elem", "list"));
    }

    @Test
    void listThatLoopsWithoutReturningToItsHeadIsACycle() {
        ListImage img = new ListImage(6);
        img.mem.set(img.elems.get(5).member("list.next"), img.elems.get(2).member("list").address());
        BpfException e = assertThrows(BpfException.class, () -> Walks.list(img.headObj(), "struct prog_poke_elem", "list"));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void listWithNullNextIsTorn() {
        ListImage img = new ListImage(3);
        img.mem.set(img.elems.get(1).member("list.next"), 0);
        BpfException e = assertThrows(BpfException.class, () -> Walks.list(img.headObj(), "struct prog_poke_elem", "list"));
        assertTrue(e.getMessage().contains("NULL next pointer after 2 entries"), e.getMessage());
    }

    @Test
    void listLongerThanTheLimitIsRefused() {
        ListImage img = new ListImage(10);
        BpfException e = assertThrows(BpfException.class, () -> Walks.list(img.headObj(), "struct prog_poke_elem", "list", 4));
        assertTrue(e.getMessage().contains("longer than 4"), e.getMessage());
    }

    @Test
    void hlistWalkEndsAtNullAndDetectsCycles() {
        FakeMemory mem = new FakeMemory();
        Kernel k = new Kernel(mem, BTF, null);
        long head = mem.alloc(8);
        long size = k.object(0, "struct bpf_trampoline").size();
        List<KObject> trs = new ArrayList<>();
        for (int i = 0; i < 4; i++) trs.add(k.object(mem.alloc(size), "struct bpf_trampoline"));
        mem.set(k.object(head, "struct hlist_head").member("first"), trs.get(0).member("hlist").address());
        for (int i = 0; i < 3; i++) mem.set(trs.get(i).member("hlist.next"), trs.get(i + 1).member("hlist").address());
        List<KObject> got = Walks.hlist(k.object(head, "struct hlist_head"), "struct bpf_trampoline", "hlist");
        assertEquals(trs.stream().map(KObject::address).toList(), got.stream().map(KObject::address).toList());
        mem.set(trs.get(3).member("hlist.next"), trs.get(1).member("hlist").address());
        BpfException e = assertThrows(BpfException.class,
                () -> Walks.hlist(k.object(head, "struct hlist_head"), "struct bpf_trampoline", "hlist"));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void corruptedListsEndInAResultOrABpfException() {
        ListImage clean = new ListImage(30);
        Random r = new Random(7);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 3000; round++) {
                ListImage img = new ListImage(30);
                img.mem.regions.clear();
                img.mem.regions.putAll(clean.mem.copy().regions);
                if (round % 2 == 0) {
                    img.mem.flipBits(r, 1 + r.nextInt(8));
                } else {
                    KObject from = clean.elems.get(r.nextInt(30));
                    img.mem.set(img.kernel.object(from.address(), "struct prog_poke_elem").member("list.next"),
                            clean.elems.get(r.nextInt(30)).member("list").address());
                }
                try {
                    Walks.list(img.kernel.object(clean.head, "struct list_head"), "struct prog_poke_elem", "list", 1000);
                } catch (BpfException e) {
                    assertFalse(e.getMessage().contains("\n"));
                }
            }
        });
    }
}
