package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks of the kernel's linked structures: {@code list_head}, {@code hlist_head} and the
 * XArray behind an IDR ({@code prog_idr}, {@code map_idr}, {@code link_idr}).
 *
 * <p>We read a live kernel without its locks, so a structure can change between two reads.
 * Every walk is bounded (at most {@code limit} entries) and remembers what it visited: a cycle,
 * a NULL where a list must continue, an XArray node whose shift or parent does not fit, each
 * ends the walk with a {@link BpfException} saying so. A walk never loops forever.
 */
public final class Walks {
    private Walks() {}

    /** Default bound on entries of one walk: far above any real BPF object count. */
    public static final int DEFAULT_LIMIT = 1 << 20;

    /**
     * The containers of every node of a circular {@code list_head} list, in list order.
     * {@code head} is the list's head ({@code struct list_head} or a pointer to it); each node is
     * member {@code member} of a {@code containerType}, e.g. {@code "struct prog_poke_elem", "list"}.
     */
    public static List<KObject> list(KObject head, String containerType, String member) {
        return list(head, containerType, member, DEFAULT_LIMIT);
    }

    public static List<KObject> list(KObject head, String containerType, String member, int limit) {
        KObject h = head.isPointer() ? head.deref() : head;
        long headAddr = h.address();
        Set<Long> seen = new HashSet<>();
        List<KObject> out = new ArrayList<>();
        KObject node = h;
        while (true) {
            KObject next = node.member("next");
            long p = next.pointer();
            if (p == headAddr) return out;
            if (p == 0) throw torn(h, "NULL next pointer after " + out.size() + " entries");
            if (!seen.add(p)) throw torn(h, String.format("cycle: node 0x%x seen twice, list does not return to its head", p));
            if (out.size() >= limit) throw new BpfException(h.expr() + ": list longer than " + limit + " entries");
            node = next.deref();
            out.add(node.containerOf(containerType, member));
        }
    }

    /** The containers of every node of an {@code hlist_head} chain, in order. */
    public static List<KObject> hlist(KObject head, String containerType, String member) {
        return hlist(head, containerType, member, DEFAULT_LIMIT);
    }

    public static List<KObject> hlist(KObject head, String containerType, String member, int limit) {
        KObject h = head.isPointer() ? head.deref() : head;
        Set<Long> seen = new HashSet<>();
        List<KObject> out = new ArrayList<>();
        KObject ptr = h.member("first");
        while (!ptr.isNull()) {
            long p = ptr.pointer();
            if (!seen.add(p)) throw torn(h, String.format("cycle: hlist node 0x%x seen twice", p));
            if (out.size() >= limit) throw new BpfException(h.expr() + ": hlist longer than " + limit + " entries");
            KObject node = ptr.deref();
            out.add(node.containerOf(containerType, member));
            ptr = node.member("next");
        }
        return out;
    }

    private static BpfException torn(KObject at, String what) {
        return new BpfException(at.expr() + ": " + what + " (torn read of a changing kernel structure?)");
    }

    /** One present entry of an XArray or IDR: its index and the pointer stored there. */
    public record Entry(long index, long pointer) {}

    // XArray entry encoding, include/linux/xarray.h: the low two bits 10 mark internal entries.
    static boolean isInternal(long e) {
        return (e & 3) == 2;
    }

    static boolean isNode(long e) {
        return isInternal(e) && Long.compareUnsigned(e, 4096) > 0;
    }

    /** Retry (256) and zero (257) entries, which read as "nothing here" to a reader. */
    static boolean isRetryOrZero(long e) {
        return e == (256L << 2 | 2) || e == (257L << 2 | 2);
    }

    /**
     * Every present entry of an XArray ({@code struct xarray}, or the older
     * {@code struct radix_tree_root}, same encoding), in index order. Value entries (odd) are
     * returned as they are; sibling, retry and zero entries are skipped.
     */
    public static List<Entry> xarray(KObject xa) {
        return xarray(xa, DEFAULT_LIMIT);
    }

    public static List<Entry> xarray(KObject xa, int limit) {
        XaShape shape = XaShape.of(xa);
        List<Entry> out = new ArrayList<>();
        long head = shape.head(xa).value();
        if (head == 0 || isRetryOrZero(head)) return out;
        if (!isNode(head)) {
            if (isInternal(head)) throw torn(xa, String.format("unexpected internal entry 0x%x at the head", head));
            out.add(new Entry(0, head));
            return out;
        }
        walkNode(xa, shape, head - 2, -1, 0, 0, new HashSet<>(), out, limit);
        return out;
    }

    private static void walkNode(KObject xa, XaShape shape, long node, int parentShift, long parent, long base,
                                 Set<Long> seen, List<Entry> out, int limit) {
        if (!seen.add(node)) throw torn(xa, String.format("cycle: xa_node 0x%x reached twice", node));
        if (seen.size() > limit) throw new BpfException(xa.expr() + ": more than " + limit + " xa_nodes");
        KObject n = xa.kernel().object(node, shape.nodeType);
        int shift = n.member("shift").intValue() & 0xff;
        if (shift % shape.chunkShift != 0 || shift >= 64
                || (parentShift >= 0 && shift != parentShift - shape.chunkShift)) {
            throw torn(xa, String.format("xa_node 0x%x has shift %d under shift %d", node, shift, parentShift));
        }
        long back = n.member("parent").pointer();
        if (parentShift >= 0 && back != parent) {
            throw torn(xa, String.format("xa_node 0x%x names parent 0x%x, reached from 0x%x", node, back, parent));
        }
        // One read for all slots: a node is one cache line group, and it keeps the slots consistent.
        KObject slotsObj = n.member("slots");
        byte[] raw = slotsObj.bytes();
        for (int i = 0; i < shape.slots; i++) {
            long e = KernelMemory.le(java.util.Arrays.copyOfRange(raw, i * 8, i * 8 + 8), 8);
            if (e == 0 || isRetryOrZero(e)) continue;
            long index = base + ((long) i << shift);
            if (isNode(e)) {
                if (shift == 0) throw torn(xa, String.format("xa_node 0x%x at shift 0 points at another node", node));
                walkNode(xa, shape, e - 2, shift, node, index, seen, out, limit);
            } else if (isInternal(e)) {
                if ((e >>> 2) < shape.slots - 1) continue; // sibling entry of a multi-index entry
                throw torn(xa, String.format("xa_node 0x%x slot %d holds unknown internal entry 0x%x", node, i, e));
            } else {
                if (out.size() >= limit) throw new BpfException(xa.expr() + ": more than " + limit + " entries");
                out.add(new Entry(index, e));
            }
        }
    }

    /** The entry at {@code index}, 0 when absent: {@code xa_load()}. */
    public static long xaLoad(KObject xa, long index) {
        XaShape shape = XaShape.of(xa);
        long e = shape.head(xa).value();
        if (!isNode(e)) return index == 0 && !isInternal(e) ? e : 0;
        int parentShift = -1;
        for (int depth = 0; isNode(e); depth++) {
            if (depth > 64 / shape.chunkShift + 1) throw torn(xa, "lookup of " + index + " deeper than an XArray can be");
            KObject n = xa.kernel().object(e - 2, shape.nodeType);
            int shift = n.member("shift").intValue() & 0xff;
            if (shift % shape.chunkShift != 0 || shift >= 64 || (parentShift >= 0 && shift != parentShift - shape.chunkShift)) {
                throw torn(xa, String.format("xa_node 0x%x has shift %d under shift %d", e - 2, shift, parentShift));
            }
            if (parentShift < 0 && shift + shape.chunkShift < 64 && (index >>> (shift + shape.chunkShift)) != 0) return 0;
            int slot = (int) ((index >>> shift) & (shape.slots - 1));
            e = n.member("slots").index(slot).value();
            parentShift = shift;
            if (isInternal(e) && !isNode(e)) return 0; // sibling, retry or zero
            if (isNode(e) && shift == 0) throw torn(xa, "xa_node at shift 0 points at another node");
        }
        return e;
    }

    /** Every entry of an IDR ({@code struct idr}), with its id ({@code idr_base} added). */
    public static List<Entry> idr(KObject idr) {
        return idr(idr, DEFAULT_LIMIT);
    }

    public static List<Entry> idr(KObject idr, int limit) {
        long base = idrBase(idr);
        List<Entry> out = new ArrayList<>();
        for (Entry e : xarray(idr.member("idr_rt"), limit)) out.add(new Entry(e.index() + base, e.pointer()));
        return out;
    }

    /** The pointer stored for {@code id}, 0 when absent: {@code idr_find()}. */
    public static long idrFind(KObject idr, long id) {
        long base = idrBase(idr);
        if (id < base) return 0;
        return xaLoad(idr.member("idr_rt"), id - base);
    }

    private static long idrBase(KObject idr) {
        // idr_base exists since 4.16; before it every IDR started at 0.
        return idr.hasMember("idr_base") ? Integer.toUnsignedLong(idr.member("idr_base").intValue()) : 0;
    }

    /** Where the head is and what a node looks like, from BTF. */
    record XaShape(String headMember, String nodeType, int slots, int chunkShift) {
        static XaShape of(KObject xa) {
            String head = xa.hasMember("xa_head") ? "xa_head" : xa.hasMember("rnode") ? "rnode" : null;
            if (head == null) throw new BpfException(xa.expr() + ": " + xa.typeName() + " is neither an xarray nor a radix tree root");
            String node = xa.kernel().findType("struct xa_node").isPresent() ? "struct xa_node" : "struct radix_tree_node";
            KObject probe = xa.kernel().object(0, node);
            long slots = probe.member("slots").length();
            if (slots < 2 || Long.bitCount(slots) != 1 || slots > 256) {
                throw new BpfException(node + ".slots has " + slots + " entries, not a power of two");
            }
            return new XaShape(head, node, (int) slots, Long.numberOfTrailingZeros(slots));
        }

        KObject head(KObject xa) {
            return xa.member(headMember);
        }
    }
}
