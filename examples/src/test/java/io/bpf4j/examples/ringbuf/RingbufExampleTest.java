package io.bpf4j.examples.ringbuf;

import io.bpf4j.examples.ExampleRun;
import io.bpf4j.examples.Threads;
import io.bpf4j.features.KernelFeature;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bpf4j.fixtures.Assume.assumeSupported;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The ring buffer example on this host: a raw tracepoint on sys_enter records every getpid(2) of
 * this process, and the example prints one line per record read with RingBufReader. The test's
 * thread makes the calls, so the records of its thread id must be exactly that many.
 */
class RingbufExampleTest {
    static final int GETPID = 39, CALLS = 500;
    static final Pattern RECORD = Pattern.compile("pid (\\d+) tid (\\d+) (.*) syscall (-?\\d+)");
    static final Pattern SUMMARY = Pattern.compile("(\\d+) records, (\\d+) dropped");

    record Rec(int pid, int tid, String comm, long nr) {}

    @Test
    void everyGetpidOfThisThreadIsOneRecordWithItsIds() throws Exception {
        assumeSupported(KernelFeature.RINGBUF);
        int pid = (int) ProcessHandle.current().pid(), tid = Threads.tid();
        String comm = Threads.comm();
        List<String> out;
        try (ExampleRun run = ExampleRun.start("ringbuf-example", Main::run,
                "--seconds", "3", "--pid", Integer.toString(pid), "--syscall", Integer.toString(GETPID))) {
            run.awaitLine(0, l -> l.startsWith("reading "), Duration.ofSeconds(60));
            for (int i = 0; i < CALLS; i++) assertEquals(pid, Threads.getpid());
            assertEquals(0, run.awaitExit(Duration.ofSeconds(60)), run.err());
            out = run.lines();
        }
        List<Rec> records = new ArrayList<>();
        for (String l : out) {
            Matcher m = RECORD.matcher(l);
            if (m.matches()) records.add(new Rec(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3), Long.parseLong(m.group(4))));
        }
        // The filters: this process, getpid only. Other threads of this JVM may call getpid too.
        for (Rec r : records) {
            assertEquals(pid, r.pid(), r.toString());
            assertEquals(GETPID, r.nr(), r.toString());
        }
        List<Rec> mine = records.stream().filter(r -> r.tid() == tid).toList();
        assertEquals(CALLS, mine.size(), "records of this thread's getpid calls");
        for (Rec r : mine) assertEquals(comm, r.comm());
        Matcher summary = SUMMARY.matcher(out.getLast());
        assertTrue(summary.matches(), out.getLast());
        assertEquals(records.size(), Integer.parseInt(summary.group(1)), "the summary counts the records printed");
        assertEquals("0", summary.group(2), "a 256 KiB buffer read as it fills drops nothing");
        assertEquals(out.size() - 2, records.size(), "every other line is a record: " + out);
    }

    @Test
    void aWrongArgumentIsAUsageErrorOnOneLine() throws Exception {
        try (ExampleRun run = ExampleRun.start("ringbuf-example", Main::run, "--pid", "me")) {
            assertEquals(2, run.awaitExit(Duration.ofSeconds(10)));
            assertEquals("usage: ringbuf [--seconds N] [--pid PID] [--syscall NR]\n", run.err());
            assertEquals(List.of(), run.lines());
        }
    }
}
