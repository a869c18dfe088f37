package io.bpf4j.tools.explain;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.ringbuf.RingBufReader;
import io.bpf4j.tools.ToolObjects;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * explain.bpf.c loaded and attached: the raw tracepoint on syscall exit, the set of traced
 * processes, and the ring buffer of calls. Closing it detaches the program, so no further signal
 * reaches a traced thread.
 */
public final class ExplainProbe implements AutoCloseable {
    private final BpfObject object;
    private final List<BpfLink> links = new ArrayList<>();
    private final BpfMap tgids;
    private final RingBufReader reader;

    private ExplainProbe(BpfObject object) {
        this.object = object;
        this.tgids = object.map("tgids");
        this.reader = RingBufReader.open(object.map("events"));
    }

    /**
     * Loads and attaches. Throws a {@link BpfException} when the kernel refuses either (no raw
     * tracepoints on syscalls, no privileges): the caller then traces with ptrace alone.
     *
     * @param all report every call, not only failed ones
     */
    public static ExplainProbe attach(boolean all) {
        ObjectSpec spec = ToolObjects.spec(ToolObjects.EXPLAIN);
        spec.setVariable("nr_bpf", nrBpf());
        spec.setVariable("report_all", all ? 1 : 0);
        spec.setVariable("stop_failed", 1);
        BpfObject o = BpfObject.load(spec);
        ExplainProbe p = null;
        try {
            p = new ExplainProbe(o);
            p.links.add(o.attach("explain_exit"));
            return p;
        } catch (RuntimeException e) {
            if (p != null) p.close();
            else o.close();
            throw e;
        }
    }

    /** __NR_bpf of this architecture. */
    static long nrBpf() {
        return switch (System.getProperty("os.arch")) {
            case "aarch64" -> 280;
            default -> 321;
        };
    }

    /** Traces the process {@code tgid} (all its threads). */
    public void allow(int tgid) {
        tgids.update(u32(tgid), new byte[] {1}, BpfMap.ANY);
    }

    public void forget(int tgid) {
        tgids.delete(u32(tgid));
    }

    /** Hands every call in the ring buffer now to {@code sink}. */
    public int drain(Consumer<CallEvent> sink) {
        return reader.consume((MemorySegment data) -> sink.accept(CallEvent.parse(data)));
    }

    /** Waits up to {@code timeoutMs} for calls, then hands them to {@code sink}. */
    public int poll(Consumer<CallEvent> sink, int timeoutMs) {
        return reader.poll((MemorySegment data) -> sink.accept(CallEvent.parse(data)), timeoutMs);
    }

    /** {calls, failed, lost}: summed over CPUs. */
    public long[] counts() {
        long[] out = new long[3];
        BpfMap c = object.map("counts");
        for (int i = 0; i < 3; i++) {
            byte[] v = c.lookup(u32(i)).orElse(null);
            if (v == null) continue;
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= 8) out[i] += b.getLong();
        }
        return out;
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = links.size() - 1; i >= 0; i--) {
            try {
                links.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        links.clear();
        try {
            reader.close();
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        object.close();
        if (first != null) throw first;
    }
}
