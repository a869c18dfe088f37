package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.KernelFacts;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import static io.bpf4j.explain.rules.Obs.*;

/** The rules every command shares, each with an observation that fits and one that does not. */
class GenericRulesTest {
    @Test
    void attrLargerThanAPageOrTheKernelsUnion() {
        Observation big = Observation.builder(new BpfCall(0, false, 0x1000, new byte[4096], 8192), Errno.E2BIG).kernel(K618).build();
        assertCause(big, "R-G01", "larger than a page");
        byte[] a = new byte[200];
        a[180] = 1;
        Observation tail = Observation.builder(new BpfCall(0, false, 0x1000, a, 200), Errno.E2BIG).kernel(K618).build();
        assertCause(tail, "R-G01", "byte 180", "ends at 168");
        a[180] = 0;
        assertNotRule(Observation.builder(new BpfCall(0, false, 0x1000, a, 200), Errno.E2BIG).kernel(K618).build(), "R-G01");
    }

    @Test
    void fieldAfterTheCommandsLastFieldOnThisKernel() {
        Observation o = attr(BpfCommand.MAP_LOOKUP_ELEM).set("map_fd", 3).raw(33, 1).obs(Errno.EINVAL).build();
        assertCause(o, "R-G02", "byte 33", "reads nothing past byte 32");
        // A 6.1-sized map_create with a new field set, on 5.10: the field is newer than the kernel.
        Observation old = attr(BpfCommand.MAP_CREATE).set("map_type", 2).set("key_size", 4).set("value_size", 4).set("max_entries", 1)
                .set("map_extra", 5).obs(Errno.EINVAL).kernel(K510).build();
        assertCause(old, "R-G02", "map_extra", "newer than this kernel");
        assertNotRule(attr(BpfCommand.MAP_LOOKUP_ELEM).set("map_fd", 3).obs(Errno.EINVAL).build(), "R-G02");
    }

    @Test
    void pointerThatDoesNotPointAtReadableMemory() {
        Observation o = attr(BpfCommand.MAP_LOOKUP_ELEM).set("map_fd", 3).set("key", 0).obs(Errno.EFAULT)
                .object("map_fd", map(3, MapType.ARRAY, 4, 8, 4)).unreadable("key").build();
        assertCause(o, "R-G03", "key pointer (NULL)");
        assertNotRule(attr(BpfCommand.MAP_LOOKUP_ELEM).obs(Errno.EFAULT).build(), "R-G03");
    }

    @Test
    void commandTheKernelDoesNotHave() {
        Observation o = Observation.builder(new BpfCall(999, false, 0, new byte[16], 16), Errno.EINVAL).kernel(K618).build();
        assertCause(o, "R-G04", "999", "last command is 38");
        assertNotRule(Observation.builder(new BpfCall(36, false, 0, new byte[16], 16), Errno.EINVAL).kernel(K618).build(), "R-G04");
    }

    @Test
    void fdThatIsNotOpen() {
        Observation o = attr(BpfCommand.MAP_LOOKUP_ELEM).set("map_fd", 9999).obs(Errno.EBADF)
                .object("map_fd", new ObjectSnapshot.NotOpen(9999)).build();
        assertCause(o, "R-G05", "fd 9999 (map_fd) is not open");
        assertNotRule(attr(BpfCommand.MAP_LOOKUP_ELEM).obs(Errno.EBADF).object("map_fd", map(3, MapType.ARRAY, 4, 8, 4)).build(), "R-G05");
    }

    @Test
    void fdOfTheWrongKind() {
        Observation o = attr(BpfCommand.MAP_LOOKUP_ELEM).set("map_fd", 4).obs(Errno.EINVAL)
                .object("map_fd", prog(4, ProgType.SOCKET_FILTER, "f")).build();
        assertCause(o, "R-G06", "a program (BPF_PROG_TYPE_SOCKET_FILTER), not a map");
        Observation devNull = attr(BpfCommand.MAP_LOOKUP_ELEM).set("map_fd", 4).obs(Errno.EINVAL)
                .object("map_fd", new ObjectSnapshot.OtherFile(4, "/dev/null", "devtmpfs")).build();
        assertCause(devNull, "R-G06", "/dev/null");
    }

    @Test
    void unprivilegedBpfDisabled() {
        ProcessFacts nobody = new ProcessFacts(65534, 0, 8 << 20, 0);
        Observation o = attr(BpfCommand.PROG_LOAD).set("prog_type", 1).obs(Errno.EPERM).process(nobody).build();
        assertCause(o, "R-G07", "unprivileged_bpf_disabled=2", "locked until reboot");
        // A lookup on an inherited fd: refused on 5.10 only.
        Observation lookup = attr(BpfCommand.MAP_LOOKUP_ELEM).obs(Errno.EPERM).process(nobody).kernel(K510).build();
        assertCause(lookup, "R-G07", "before Linux 5.19");
        assertNotRule(attr(BpfCommand.MAP_LOOKUP_ELEM).obs(Errno.EPERM).process(nobody).build(), "R-G07");
        assertNotRule(attr(BpfCommand.PROG_LOAD).obs(Errno.EPERM).build(), "R-G07");
    }

    @Test
    void memlockLimitOnKernelsThatChargeIt() {
        ProcessFacts small = new ProcessFacts(0, ProcessFacts.root().capEff(), 65536, 0);
        Observation o = attr(BpfCommand.MAP_CREATE).set("map_type", 2).obs(Errno.EPERM).kernel(K510).process(small).build();
        assertCause(o, "R-G08", "RLIMIT_MEMLOCK", "65536").change();
        assertNotRule(attr(BpfCommand.MAP_CREATE).set("map_type", 2).obs(Errno.EPERM).process(small).build(), "R-G08");
    }

    @Test
    void refusedDespiteEveryCapability() {
        Observation o = attr(BpfCommand.PROG_LOAD).set("prog_type", ProgType.EXT.value()).obs(Errno.EPERM).build();
        assertCause(o, "R-G09", "BPF_PROG_TYPE_EXT", "security module");
        assertNotRule(attr(BpfCommand.PROG_LOAD).obs(Errno.EPERM).process(new ProcessFacts(0, 1L << ProcessFacts.CAP_BPF, -1, 0)).build(), "R-G09");
    }

    @Test
    void idOfAnObjectThatIsGone() {
        Observation o = attr(BpfCommand.PROG_GET_FD_BY_ID).set("prog_id", 0x7ffffff0).obs(Errno.ENOENT).build();
        assertCause(o, "R-G11", "no program with id 2147483632");
        Observation noCap = attr(BpfCommand.MAP_GET_FD_BY_ID).set("map_id", 5).obs(Errno.EPERM)
                .process(new ProcessFacts(1000, 1L << ProcessFacts.CAP_BPF, -1, 0)).build();
        assertCause(noCap, "R-G11", "CAP_SYS_ADMIN");
        assertNotRule(attr(BpfCommand.MAP_GET_FD_BY_ID).obs(Errno.EPERM).build(), "R-G11");
    }

    @Test
    void unknownFactsMatchNothingThatNeedsThem() {
        Observation o = Observation.builder(BpfCall.of(BpfCommand.MAP_CREATE, new byte[72]), Errno.EPERM).kernel(KernelFacts.unknown()).build();
        assertNotRule(o, "R-G07");
        assertNotRule(o, "R-G08");
        assertNotRule(o, "R-G09");
    }
}
