package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import static io.bpf4j.explain.rules.Obs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BPF_MAP_FREEZE's rules; their errnos moved in 6.5 ({@code c4c84f6fb2c4}). */
class FreezeRulesTest {
    static ObjectSnapshot.MapObject array(boolean frozen, int access, int flags) {
        return new ObjectSnapshot.MapObject(3, 12, MapType.ARRAY.value(), "cfg", 4, 8, 4, flags, -1, null, frozen, access, 0);
    }

    static Observation.Builder freeze(int errno, ObjectSnapshot.MapObject m) {
        return attr(BpfCommand.MAP_FREEZE).set("map_fd", 3).obs(errno).object("map_fd", m);
    }

    @Test
    void freezeWhileAWritableMappingExists() {
        assertCause(freeze(Errno.EBUSY, array(false, 2, Flags.MMAPABLE)).fact(Fact.WRITABLE_MMAPS, 1).build(), "R-F01",
                "1 writable shared mapping", "munmap()");
        assertNotRule(freeze(Errno.EBUSY, array(false, 2, 0)).fact(Fact.WRITABLE_MMAPS, 0).build(), "R-F01");
    }

    @Test
    void freezeAFrozenMap() {
        Cause c = assertCause(freeze(Errno.EPERM, array(true, 2, 0)).build(), "R-F02", "already frozen");
        assertEquals(KnownChanges.FREEZE_NEEDS_WRITE, c.change());
        assertEquals("EPERM from Linux 6.5 on, EBUSY before", c.since());
        assertCause(freeze(Errno.EBUSY, array(true, 2, 0)).kernel(K510).build(), "R-F02", "already frozen");
        assertNotRule(freeze(Errno.EBUSY, array(false, 2, 0)).build(), "R-F02");
    }

    @Test
    void freezeThroughAReadOnlyFdOrWithoutCapBpf() {
        assertCause(freeze(Errno.EPERM, array(false, ObjectSnapshot.O_RDONLY, Flags.RDONLY)).build(), "R-F03", "read-only", "writable fd");
        assertCause(freeze(Errno.EPERM, array(false, 2, 0)).kernel(K510.withSysctls(0, true, 1, 2))
                .process(new ProcessFacts(1000, 0, -1, 0)).build(), "R-F03", "CAP_BPF");
        assertNotRule(freeze(Errno.EPERM, array(false, 2, 0)).build(), "R-F03");
    }

    @Test
    void freezeAStructOpsMap() {
        ObjectSnapshot.MapObject ops = new ObjectSnapshot.MapObject(3, 12, MapType.STRUCT_OPS.value(), "ops", 4, 64, 1, 0, -1, null, false, 2, 0);
        assertCause(freeze(Errno.ENOTSUPP, ops).build(), "R-F04", "struct_ops");
    }
}
