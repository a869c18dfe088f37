package io.bpf4j.tools.trace;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** What trace.bpf.c is told about each function, in the upper half of its cookie. */
class TracerCookieTest {
    static TracedFunction fn(int id, String name, boolean entry) {
        return new TracedFunction(id, new KernelFunction(name, null, 0xffffffff81200000L + id), entry, ReturnKind.LONG, 1, true);
    }

    static int flags(TracedFunction f) {
        long c = Tracer.cookie(f);
        assertEquals(f.id(), (int) c, "the id rides in the lower half");
        return (int) (c >>> 32);
    }

    @Test
    void onlySyscallEntryWrappersAreFlaggedAsNeverNesting() {
        for (String w : new String[] {"__x64_sys_bpf", "__ia32_sys_read", "__x64_compat_sys_ioctl", "__ia32_compat_sys_x", "__arm64_sys_bpf"})
            assertEquals(Tracer.FN_SYSCALL, flags(fn(3, w, false)) & Tracer.FN_SYSCALL, w);
        // Called by a wrapper, or from inside another syscall (bpf_sys_bpf): these nest.
        for (String n : new String[] {"__se_sys_bpf", "__do_sys_bpf", "__sys_bpf", "ksys_read", "bpf_map_copy_value", "__x64_sys_bpf_x.cold"})
            assertEquals(0, flags(fn(3, n, true)) & Tracer.FN_SYSCALL, n);
    }

    @Test
    void theSyscallFlagKeepsTheEntryAndResultFlags() {
        TracedFunction f = fn(7, "__x64_sys_bpf", true);
        assertEquals(f.bpfFlags() | Tracer.FN_SYSCALL, flags(f));
        assertEquals(1, flags(f) & 1, "FN_ENTRY");
    }
}
