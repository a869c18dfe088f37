package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.bpf4j.explain.rules.Obs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The element commands' rules (lookup, update, delete, next key), with the map as fdinfo shows it. */
class MapElementRulesTest {
    static Obs.Attr elem(BpfCommand c, long flags) {
        Obs.Attr a = attr(c).set("map_fd", 3).set("key", 0x7ffd0000L);
        if (c == BpfCommand.MAP_GET_NEXT_KEY) return a.set("next_key", 0x7ffd0100L);
        if (c != BpfCommand.MAP_DELETE_ELEM) a.set("value", 0x7ffd0100L);
        return a.set("flags", flags);
    }

    static Observation.Builder onMap(BpfCommand c, long flags, int errno, ObjectSnapshot.MapObject m, int key) {
        return elem(c, flags).obs(errno).object("map_fd", m).memory("key", u32(key));
    }

    static ObjectSnapshot.MapObject with(ObjectSnapshot.MapObject m, boolean frozen, int access, int flags) {
        return new ObjectSnapshot.MapObject(m.fd(), m.id(), m.type(), m.name(), m.keySize(), m.valueSize(), m.maxEntries(), flags,
                m.ownerProgType(), m.ownerJited(), frozen, access, m.btfId());
    }

    @Test
    void writeToAFrozenMapOrThroughAReadOnlyFd() {
        ObjectSnapshot.MapObject a = map(3, MapType.ARRAY, 4, 8, 4);
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EPERM, with(a, true, ObjectSnapshot.O_RDWR, 0), 0).build(), "R-M01", "is frozen");
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EPERM, with(a, false, ObjectSnapshot.O_RDONLY, Flags.RDONLY), 0).build(),
                "R-M01", "read-only", "BPF_F_RDONLY");
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EPERM, a, 0).build(), "R-M01");
    }

    @Test
    void readThroughAWriteOnlyFd() {
        ObjectSnapshot.MapObject a = with(map(3, MapType.ARRAY, 4, 8, 4), false, ObjectSnapshot.O_WRONLY, Flags.WRONLY);
        assertCause(onMap(BpfCommand.MAP_LOOKUP_ELEM, 0, Errno.EPERM, a, 0).build(), "R-M02", "write-only");
        assertNotRule(onMap(BpfCommand.MAP_LOOKUP_ELEM, 0, Errno.EPERM, map(3, MapType.ARRAY, 4, 8, 4), 0).build(), "R-M02");
    }

    @Test
    void lockFlagWithoutASpinLock() {
        ObjectSnapshot.MapObject a = map(3, MapType.ARRAY, 4, 8, 4);
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.F_LOCK, Errno.EINVAL, a, 0).build(), "R-M03", "bpf_spin_lock", "has no BTF");
        assertCause(onMap(BpfCommand.MAP_LOOKUP_ELEM, 1L << 33, Errno.EINVAL, a, 0).build(), "R-M03", "upper 32 bits");
        ObjectSnapshot.MapObject btf = new ObjectSnapshot.MapObject(3, 12, MapType.ARRAY.value(), "m", 4, 16, 4, 0, -1, null, false, 2, 9);
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.F_LOCK, Errno.EINVAL, btf, 0).fact(Fact.VALUE_HAS_SPIN_LOCK, true).build(), "R-M03");
    }

    @Test
    void arrayIndexPastMaxEntries() {
        Cause c = assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.E2BIG, map(3, MapType.ARRAY, 4, 8, 4), 4).build(), "R-M04",
                "index 4 is out of range", "(0..3)", "not \"map full\"");
        assertEquals("use an index below max_entries, or create the map with more entries", c.fix());
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.E2BIG, map(3, MapType.ARRAY, 4, 8, 4), 3).build(), "R-M04");
    }

    @Test
    void noExistOnAnArray() {
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.NOEXIST, Errno.EEXIST, map(3, MapType.ARRAY, 4, 8, 4), 1).build(), "R-M05", "BPF_ANY");
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.NOEXIST, Errno.EEXIST, map(3, MapType.HASH, 4, 8, 4), 1).build(), "R-M05");
    }

    @Test
    void unknownUpdateFlagOnAnArray() {
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 8, Errno.EINVAL, map(3, MapType.ARRAY, 4, 8, 4), 1).build(), "R-M06", "BPF_ANY|0x8");
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.EXIST, Errno.EINVAL, map(3, MapType.ARRAY, 4, 8, 4), 1).build(), "R-M06");
    }

    @Test
    void deleteFromAnArray() {
        assertCause(onMap(BpfCommand.MAP_DELETE_ELEM, 0, Errno.EINVAL, map(3, MapType.ARRAY, 4, 8, 4), 1).build(), "R-M07", "cannot be deleted");
        assertNotRule(onMap(BpfCommand.MAP_DELETE_ELEM, 0, Errno.EINVAL, map(3, MapType.PROG_ARRAY, 4, 4, 4), 1).build(), "R-M07");
    }

    @Test
    void notFoundAndItsArrayForm() {
        assertCause(onMap(BpfCommand.MAP_LOOKUP_ELEM, 0, Errno.ENOENT, map(3, MapType.ARRAY, 4, 8, 4), 100).build(), "R-M08",
                "index 100 is out of range", "update says E2BIG");
        assertCause(onMap(BpfCommand.MAP_LOOKUP_ELEM, 0, Errno.ENOENT, map(3, MapType.HASH, 4, 8, 4), 7).build(), "R-M08", "not found");
        assertCause(onMap(BpfCommand.MAP_DELETE_ELEM, 0, Errno.ENOENT, map(3, MapType.PROG_ARRAY, 4, 4, 4), 2).build(), "R-M08", "slot 2", "empty");
    }

    @Test
    void existAndNoExistOnAHash() {
        ObjectSnapshot.MapObject h = map(3, MapType.HASH, 4, 8, 2);
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.EXIST, Errno.ENOENT, h, 7).build(), "R-M09", "BPF_EXIST");
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.NOEXIST, Errno.EEXIST, h, 7).build(), "R-M09", "already in");
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.ANY, Errno.ENOENT, h, 7).build(), "R-M09");
    }

    @Test
    void hashFull() {
        ObjectSnapshot.MapObject h = map(3, MapType.HASH, 4, 8, 2);
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.E2BIG, h, 9).fact(Fact.ELEMENT_COUNT, 2L).fact(Fact.KEY_EXISTS, false).build(),
                "R-M10", "is full (2 of 2 elements)", "LRU_HASH");
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.E2BIG, map(3, MapType.LRU_HASH, 4, 8, 2), 9).build(), "R-M10");
    }

    @Test
    void endOfAKeyWalk() {
        assertCause(elem(BpfCommand.MAP_GET_NEXT_KEY, 0).obs(Errno.ENOENT).object("map_fd", map(3, MapType.HASH, 4, 8, 2)).build(),
                "R-M11", "end of an iteration");
    }

    @Test
    void fdArrayUpdateWithAFlagOtherThanAny() {
        Observation o = onMap(BpfCommand.MAP_UPDATE_ELEM, Flags.NOEXIST, Errno.EINVAL, owned(3, ProgType.SOCKET_FILTER, true), 1)
                .object("value", prog(5, ProgType.SOCKET_FILTER, "sf")).build();
        assertCause(o, "R-M12", "only BPF_ANY", "BPF_NOEXIST");
    }

    @Test
    void fdArrayValueThatIsNotAProgram() {
        ObjectSnapshot.MapObject pa = map(3, MapType.PROG_ARRAY, 4, 4, 4);
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, pa, 1).object("value", map(4, MapType.ARRAY, 4, 8, 4)).build(),
                "R-M13", "a map (BPF_MAP_TYPE_ARRAY)", "stores a program");
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EBADF, pa, 1).object("value", new ObjectSnapshot.NotOpen(9999)).build(),
                "R-M13", "fd 9999, which is not open");
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, pa, 1).object("value", prog(5, ProgType.XDP, "x")).build(), "R-M13");
    }

    @Test
    void progArrayOwnedByAnotherType() {
        Observation o = onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, owned(3, ProgType.KPROBE, true), 0)
                .object("value", prog(5, ProgType.XDP, "xdp_pass")).build();
        assertCause(o, "R-M14", "owned by BPF_PROG_TYPE_KPROBE programs", "\"xdp_pass\" (BPF_PROG_TYPE_XDP) is not one");
    }

    @Test
    void progArrayOwnedByAnExtensionTheStory() {
        Observation o = onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, owned(3, ProgType.EXT, true), 0)
                .object("value", prog(5, ProgType.KPROBE, "k_tailcall")).kernel(K510).build();
        Cause c = assertCause(o, "R-M14", "owned by BPF_PROG_TYPE_EXT", "k_tailcall");
        assertEquals(KnownChanges.RESOLVE_FEXT_TYPE, c.change());
        assertEquals("1c123c567fb1", c.change().shortId());
    }

    @Test
    void progArrayOwnerAgreesOnTypeButNotJit() {
        ObjectSnapshot.ProgObject interp = new ObjectSnapshot.ProgObject(5, 41, ProgType.KPROBE.value(), "k", "", false, true, 0, 0, -1, -1,
                List.of(), List.of());
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, owned(3, ProgType.KPROBE, true), 0).object("value", interp).build(),
                "R-M14", "JIT");
    }

    @Test
    void extensionAsATailCallTarget() {
        Observation o = onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, map(3, MapType.PROG_ARRAY, 4, 4, 1), 0)
                .object("value", prog(5, ProgType.EXT, "freplace_handler")).build();
        assertEquals(KnownChanges.FREPLACE_TAILCALL_LOOP, assertCause(o, "R-M15", "freplace_handler").change());
        assertNotRule(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, owned(3, ProgType.KPROBE, true), 0)
                .object("value", prog(5, ProgType.EXT, "f")).build(), "R-M15");
    }

    @Test
    void extendedProgramAsATailCallTarget() {
        ObjectSnapshot.ProgObject ext = new ObjectSnapshot.ProgObject(5, 41, ProgType.XDP.value(), "x", "", true, true, 0, 0, -1, -1,
                List.of(), List.of(17));
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EBUSY, map(3, MapType.PROG_ARRAY, 4, 4, 1), 0).object("value", ext).build(),
                "R-M16", "extended by an freplace program (link [17])");
    }

    @Test
    void innerMapThatDoesNotMatchTheTemplate() {
        Observation o = onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, map(3, MapType.ARRAY_OF_MAPS, 4, 4, 2), 0)
                .object("value", map(6, MapType.HASH, 4, 8, 1)).build();
        assertCause(o, "R-M18", "does not match the inner map template");
        assertNotRule(o.toBuilder().fact(Fact.INNER_MAP_MATCHES, true).build(), "R-M18");
    }

    @Test
    void operationTheMapTypeLacks() {
        assertCause(onMap(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, 0, Errno.ENOTSUPP, map(3, MapType.ARRAY, 4, 8, 4), 0).build(),
                "R-M19", "does not implement BPF_MAP_LOOKUP_AND_DELETE_ELEM", "524");
    }

    @Test
    void keyOnAQueue() {
        assertCause(onMap(BpfCommand.MAP_UPDATE_ELEM, 0, Errno.EINVAL, map(3, MapType.QUEUE, 0, 8, 4), 0).build(), "R-M20", "key = NULL");
        assertNotRule(attr(BpfCommand.MAP_UPDATE_ELEM).set("map_fd", 3).set("value", 0x7ffd0100L).obs(Errno.EINVAL)
                .object("map_fd", map(3, MapType.QUEUE, 0, 8, 4)).build(), "R-M20");
    }
}
