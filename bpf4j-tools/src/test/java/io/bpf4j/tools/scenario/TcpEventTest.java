package io.bpf4j.tools.scenario;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

class TcpEventTest {
    /** struct event as the BPF side writes it on x86: addresses and dport in network order, sport in host order. */
    static byte[] record(int sport, int dport, int type) {
        return new byte[] {127, 0, 0, 1, 127, 0, 0, 2, (byte) sport, (byte) (sport >> 8), (byte) (dport >> 8), (byte) dport,
                (byte) type, 0, 0, 0, /* perf padding, not cleared by the kernel */ 0x55, 0x55, 0x55, 0x55};
    }

    @Test
    void decodesTheEventRecordIntoTheDemosLine() {
        TcpEvent e = TcpEvent.decode(1, MemorySegment.ofArray(record(40000, 8080, 0)));
        assertEquals("tcp connection: 127.0.0.1:40000 -> 127.0.0.2:8080", e.line());
        assertFalse(e.freplace());
        assertEquals(1, e.cpu());
        TcpEvent f = TcpEvent.decode(0, MemorySegment.ofArray(record(1, 65535, 3)));
        assertEquals("tcp connection: 127.0.0.1:1 -> 127.0.0.2:65535 (freplace)", f.line());
        assertTrue(f.freplace());
    }

    @Test
    void matchesAConnectionFromEitherEnd() {
        TcpEvent client = TcpEvent.decode(0, MemorySegment.ofArray(record(40000, 8080, 0)));
        TcpEvent server = TcpEvent.decode(0, MemorySegment.ofArray(record(8080, 40000, 3)));
        assertTrue(client.between(40000, 8080));
        assertTrue(server.between(40000, 8080));
        assertFalse(client.between(40001, 8080));
    }

    @Test
    void aShortSampleIsAFormatErrorNotAMisread() {
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> TcpEvent.decode(0, MemorySegment.ofArray(new byte[15])));
        assertTrue(e.getMessage().contains("15 bytes"), e.getMessage());
    }
}
