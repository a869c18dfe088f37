package io.bpf4j.tools.trace;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/** Records that do not hold what their header says are counted as bad and dropped; the good ones around them still assemble. */
class SessionAssemblerTest {
    static final int FINAL_FAILED = SessionAssembler.S_FINAL | SessionAssembler.S_FAILED;

    @Test
    void aRecordShorterThanItsEventCountOrWithTooManyEventsIsBad() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> out = new ArrayList<>();
            SessionAssembler asm = new SessionAssembler(SessionFormatTest.FNS, out::add);
            // Six events claimed, room for five.
            MemorySegment shortRec = SessionFormatTest.sessionRecord(a, 7, 100, FINAL_FAILED, 0, SessionFormatTest.blogEvents());
            asm.accept(shortRec.asSlice(0, shortRec.byteSize() - 24));
            // 65 events: more than a record carries (MAX_EVENTS), in a record big enough for them.
            MemorySegment many = SessionFormatTest.sessionRecord(a, 8, 200, FINAL_FAILED, 0,
                    Collections.nCopies(SessionAssembler.MAX_EVENTS + 1, SessionFormatTest.ev(0, 0, 0, 300, 0)));
            asm.accept(many);
            // A header cut short.
            asm.accept(shortRec.asSlice(0, SessionAssembler.HDR_SIZE - 8));
            assertEquals(3, asm.badRecords());
            assertEquals(0, asm.sessions());
            // A good session after them.
            asm.accept(SessionFormatTest.sessionRecord(a, 9, 300, FINAL_FAILED, 0, SessionFormatTest.blogEvents()));
            assertEquals(1, asm.sessions());
            assertEquals(3, asm.badRecords());
            assertEquals(9, out.getFirst().tid());
            assertEquals(-22L, out.getFirst().root().result());
            // Its header says session, its count is negative.
            MemorySegment neg = SessionFormatTest.sessionRecord(a, 10, 400, FINAL_FAILED, 0, SessionFormatTest.blogEvents());
            neg.set(JAVA_INT_UNALIGNED, 12, -1);
            asm.accept(neg);
            assertEquals(4, asm.badRecords());
        }
    }
}
