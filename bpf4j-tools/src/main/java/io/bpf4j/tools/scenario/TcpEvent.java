package io.bpf4j.tools.scenario;

import io.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One {@code struct event} of the tailcall-in-freplace objects (tailcall_in_freplace.h): a TCP
 * socket seen by a kprobe ({@link #freplace()} false) or by {@code k_tailcall}, reached through
 * the freplace program's tail call.
 *
 * @param saddr dotted IPv4 source (the socket's bound address)
 * @param sport source port (host order in the socket)
 * @param probeType 0 for the kprobes, 3 for the tail-called program
 */
public record TcpEvent(int cpu, String saddr, int sport, String daddr, int dport, int probeType) {
    /** The record's size; the perf buffer pads it to 20 bytes. */
    public static final int SIZE = 16;
    public static final int PROBE_TYPE_DEFAULT = 0, PROBE_TYPE_FREPLACE = 3;

    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Decodes a sample; shorter data is a {@link BpfFormatException}, not a misread. */
    public static TcpEvent decode(int cpu, MemorySegment data) {
        if (data.byteSize() < SIZE)
            throw new BpfFormatException("tcp event: " + data.byteSize() + " bytes, want at least " + SIZE);
        return new TcpEvent(cpu, ip(data, 0), Short.toUnsignedInt(data.get(LE16, 8)), ip(data, 4),
                Short.toUnsignedInt(data.get(BE16, 10)), Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, 12)));
    }

    private static String ip(MemorySegment d, long off) {
        return Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, off)) + "." + Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, off + 1))
                + "." + Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, off + 2)) + "." + Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, off + 3));
    }

    public boolean freplace() {
        return probeType == PROBE_TYPE_FREPLACE;
    }

    /** The original demo's line: {@code tcp connection: 127.0.0.1:40000 -> 127.0.0.1:8080 (freplace)}. */
    public String line() {
        return "tcp connection: " + saddr + ":" + sport + " -> " + daddr + ":" + dport + (freplace() ? " (freplace)" : "");
    }

    /** Whether this event is about the socket pair {@code a:aport <-> b:bport} seen from either end. */
    public boolean between(int portA, int portB) {
        return (sport == portA && dport == portB) || (sport == portB && dport == portA);
    }
}
