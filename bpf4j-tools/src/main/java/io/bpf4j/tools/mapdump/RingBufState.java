package io.bpf4j.tools.mapdump;

import io.bpf4j.BpfMap;
import io.bpf4j.MapInfo;
import io.bpf4j.MapType;
import io.bpf4j.btf.ValueWriter;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * What a ring buffer holds, read through a read-only mapping of its pages as a consumer would
 * see them: the consumer and producer positions (first and second page) and, walking the
 * record headers between them, how many records wait to be read. A ring buffer has no keys,
 * so this is all a dump can show. {@code error} says why positions are missing (mmap refused).
 */
record RingBufState(MapInfo info, long consumer, long producer, long records, long discarded, boolean busy,
                    String error, List<Holders.Holder> pids) {
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** include/uapi/linux/bpf.h: BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, BPF_RINGBUF_HDR_SZ. */
    private static final int BUSY = 1 << 31, DISCARD = 1 << 30, HDR = 8;

    static RingBufState of(BpfMap map, MapInfo info) {
        List<Holders.Holder> pids = Holders.of(info.id());
        long page = Syscalls.pageSize();
        long size = Integer.toUnsignedLong(info.maxEntries());
        // Consumer page, producer page, then the data pages mapped twice in a row, so a record
        // that wraps reads as one piece: the layout libbpf's ring_buffer__add maps.
        long len = 2 * page + 2 * size;
        long addr = Syscalls.mmap(len, Syscalls.PROT_READ, Syscalls.MAP_SHARED, map.fd().raw(), 0);
        if (addr < 0) return new RingBufState(info, -1, -1, 0, 0, false, "mmap: " + Errno.describe((int) -addr), pids);
        MemorySegment m = MemorySegment.ofAddress(addr).reinterpret(len);
        try {
            long cons = m.get(LE_LONG, 0), prod = m.get(LE_LONG, page);
            long records = 0, discarded = 0;
            boolean busy = false;
            // Records between the positions, as a consumer would read them now. The producer may
            // move meanwhile; the walk stops at the position read first.
            for (long p = cons; p < prod && p - cons < size; ) {
                int hdr = m.get(LE_INT, 2 * page + (p & (size - 1)));
                if ((hdr & BUSY) != 0) {
                    busy = true;
                    break;
                }
                if ((hdr & DISCARD) != 0) discarded++;
                else records++;
                long rec = Integer.toUnsignedLong(hdr & ~(BUSY | DISCARD));
                p += (rec + HDR + 7) & ~7L;
            }
            return new RingBufState(info, cons, prod, records, discarded, busy, null, pids);
        } finally {
            Syscalls.munmap(m, len);
        }
    }

    void write(ValueWriter w, boolean json) {
        long size = Integer.toUnsignedLong(info.maxEntries());
        if (json) {
            w.beginObject();
            w.name("id");
            w.unsigned(Integer.toUnsignedLong(info.id()));
            w.name("type");
            w.string(MapDump.typeName(info));
            if (!info.name().isEmpty()) {
                w.name("name");
                w.string(info.name());
            }
            w.name("flags");
            w.unsigned(Integer.toUnsignedLong(info.flags()));
            w.name("size");
            w.unsigned(size);
            if (error == null) {
                w.name("consumer_pos");
                w.unsigned(consumer);
                w.name("producer_pos");
                w.unsigned(producer);
                w.name("pending_bytes");
                w.unsigned(producer - consumer);
                w.name("pending_records");
                w.unsigned(records);
                w.name("discarded_records");
                w.unsigned(discarded);
                w.name("busy");
                w.bool(busy);
            } else {
                w.name("error");
                w.string(error);
            }
            Holders.json(w, pids);
            w.endObject();
            return;
        }
        w.raw(MapDump.header(info)).newline();
        w.raw("\tsize ").rawUnsigned(size);
        if (error == null) {
            w.raw("  consumer_pos ").rawUnsigned(consumer).raw("  producer_pos ").rawUnsigned(producer).newline();
            w.raw("\tpending ").rawUnsigned(producer - consumer).raw(" bytes: ").rawUnsigned(records)
                    .raw(records == 1 ? " record" : " records");
            if (discarded > 0) w.raw(", ").rawUnsigned(discarded).raw(" discarded");
            if (busy) w.raw(", one being written");
            if (info.type() == MapType.USER_RINGBUF) w.raw(" (written by user space, read by BPF programs)");
        } else {
            w.raw("  (").raw(error).raw(')');
        }
        if (!pids.isEmpty()) {
            w.newline().raw("\tpids ");
            Holders.text(w, pids);
        }
    }
}
