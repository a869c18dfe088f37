package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The made-up sessions `bpf4j trace` formats before it reads the ring buffer: they must go
 * through the same assembler and formatter as real ones and come out as the failing sessions
 * they describe, with this kernel's BTF behind the -A captures.
 */
class ReaderWarmupTest {
    static Btf btf;

    @BeforeAll
    static void kernelBtf() {
        btf = HostBtf.read();
    }

    static TracedFunction fn(int id, String name, long address, boolean entry, ReturnKind returns, boolean args) {
        TracedFunction f = new TracedFunction(id, new KernelFunction(name, null, address), entry, returns, 3, true);
        return args ? f.withArgs(ArgLayout.of(btf, ReturnKind.proto(btf, name).orElseThrow(), ArgLayout.Limits.DEFAULT, true)) : f;
    }

    static TracedFunction[] table(boolean args) {
        return new TracedFunction[] {
            fn(0, "security_bpf", 0xffffffff81210000L, false, ReturnKind.INT32, args),
            fn(1, "__x64_sys_bpf", 0xffffffff81200000L, true, ReturnKind.LONG, args),
            fn(2, "bpf_map_copy_value", 0xffffffff81220000L, false, ReturnKind.INT32, args),
        };
    }

    static final Kallsyms KSYMS = Kallsyms.parse("""
            ffffffff81200000 T __x64_sys_bpf
            ffffffff81210000 T security_bpf
            ffffffff81220000 T bpf_map_copy_value
            """);

    @Test
    void eachSessionIsTheEntryFunctionFailingWithItsLastCallee() {
        for (boolean atEntry : new boolean[] {false, true}) {
            List<Session> got = new ArrayList<>();
            assertEquals(50, ReaderWarmup.run(table(false), atEntry, 50, got::add, () -> false));
            assertEquals(50, got.size());
            for (Session s : got) {
                assertTrue(s.failed());
                assertEquals("__x64_sys_bpf", s.root().function().name());
                assertEquals(List.of("security_bpf", "bpf_map_copy_value"), s.root().children().stream().map(c -> c.function().name()).toList());
                assertEquals("bpf_map_copy_value", s.errorCall().function().name());
                assertEquals(-22, (int) s.errorCall().result());
                assertEquals(atEntry, s.stackAtEntry());
                assertEquals(5, s.stack().length);
            }
            String text = new String(write(new SessionFormat(KSYMS, null), got.getFirst()), StandardCharsets.UTF_8);
            assertTrue(text.contains("bpf_map_copy_value") && text.contains("[-EINVAL]"), text);
        }
    }

    @Test
    void withArgumentsEveryCallCarriesACaptureThatChangesPerSession() {
        List<Session> got = new ArrayList<>();
        ReaderWarmup.run(table(true), false, 3, got::add, () -> false);
        SessionFormat fmt = new SessionFormat(KSYMS, null).withArgs(ArgLayout.Style.COMPACT, 120);
        List<String> lines = new ArrayList<>();
        for (Session s : got) {
            for (Call c : List.of(s.root(), s.root().children().get(0), s.root().children().get(1))) {
                assertTrue(c.hasArgs(), c.function().name());
                String line = String.join(" ", c.args(ArgLayout.Style.COMPACT, 120));
                assertFalse(line.contains("=?"), line);
                lines.add(line);
            }
            String text = new String(write(fmt, s), StandardCharsets.UTF_8);
            assertTrue(text.contains("map=&{"), text); // the error stack shows the failing path: bpf_map_copy_value, not security_bpf
        }
        // security_bpf's attr in the first session and in the second differ.
        assertNotEquals(lines.get(1), lines.get(4));
    }

    @Test
    void oneFormatterPrintsEachSessionsOwnArgumentsWhereTheStackRepeats() {
        // The made-up sessions fail the same way with other arguments each time: the formatter
        // prints the kept error stack again, and must put this session's arguments in it.
        List<Session> got = new ArrayList<>();
        ReaderWarmup.run(table(true), false, 6, got::add, () -> false);
        java.time.ZoneId utc = java.time.ZoneId.of("UTC");
        SessionFormat kept = new SessionFormat(KSYMS, null, 7_000_000_123L, utc).withArgs(ArgLayout.Style.COMPACT, 120);
        List<String> texts = new ArrayList<>();
        for (Session s : got) {
            String text = new String(write(kept, s), StandardCharsets.UTF_8);
            String fresh = new String(write(new SessionFormat(KSYMS, null, 7_000_000_123L, utc).withArgs(ArgLayout.Style.COMPACT, 120), s), StandardCharsets.UTF_8);
            assertEquals(fresh, text);
            assertTrue(text.contains("map=&{"), text);
            texts.add(text.substring(text.indexOf('\n')));
        }
        assertTrue(texts.stream().distinct().count() > 1, "the captures differ between sessions");
    }

    @Test
    void aStopEndsTheWarmUpAtTheNextCheck() {
        List<Session> got = new ArrayList<>();
        assertEquals(100, ReaderWarmup.run(table(false), false, 1000, got::add, () -> got.size() >= 60));
        assertEquals(100, got.size());
    }

    @Test
    void aTableOfProbesOnlyMakesNothing() {
        TracedFunction probe = new TracedFunction(0, new KernelFunction("kprobe:x", null, 0), false, ReturnKind.VOID, 0, true,
                TracedFunction.Kind.PROBE, null, null);
        assertEquals(0, ReaderWarmup.run(new TracedFunction[] {probe}, false, 10, s -> fail("no session expected"), () -> false));
    }

    static byte[] write(SessionFormat fmt, Session s) {
        TextBuffer t = new TextBuffer(4096);
        fmt.write(s, false, true, t);
        return t.toByteArray();
    }
}
