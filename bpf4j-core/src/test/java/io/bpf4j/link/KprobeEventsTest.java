package io.bpf4j.link;

import io.bpf4j.BpfException;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;

import static org.junit.jupiter.api.Assertions.*;

/** The parts of tracefs kprobe events that need no kernel: names, limits, errors. */
class KprobeEventsTest {
    @Test
    void eventNamesKeepOnlyWhatTracefsAccepts() {
        assertEquals("bpf_map_copy_value", KprobeEvents.sanitize("bpf_map_copy_value"));
        assertEquals("foo_isra_0", KprobeEvents.sanitize("foo.isra.0"));
        assertEquals(40, KprobeEvents.sanitize("x".repeat(100)).length());
        assertTrue(KprobeEvents.prefix().matches("bpf4j_\\d+_"), KprobeEvents.prefix());
    }

    @Test
    void maxActiveBeyondTheKernelsLimitIsRefusedWithOneLine() {
        BpfException e = assertThrows(BpfException.class,
                () -> KprobeEvents.create("security_bpf", 0, true, KprobeEvents.MAX_ACTIVE + 1));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("kretprobe security_bpf"), e.getMessage());
    }

    @Test
    void tracefsWriteErrorsKeepTheirErrno() {
        assertEquals(Errno.EINVAL, KprobeEvents.errno(new IOException("Invalid argument")));
        assertEquals(Errno.ENOENT, KprobeEvents.errno(new IOException("No such file or directory")));
        assertEquals(Errno.EACCES, KprobeEvents.errno(new AccessDeniedException("/sys/kernel/tracing/kprobe_events")));
        assertEquals(Errno.EIO, KprobeEvents.errno(new IOException("something else")));
    }
}
