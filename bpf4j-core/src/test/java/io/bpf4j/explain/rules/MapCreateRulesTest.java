package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import static io.bpf4j.explain.rules.Obs.*;

/** BPF_MAP_CREATE's rules, as the corpus cases C1-C15 of the research notes set them up. */
class MapCreateRulesTest {
    static Obs.Attr create(MapType t, int key, int value, int max, int flags) {
        return attr(BpfCommand.MAP_CREATE).set("map_type", t.value()).set("key_size", key).set("value_size", value)
                .set("max_entries", max).set("map_flags", flags);
    }

    @Test
    void mapTypeTheKernelDoesNotHave() {
        assertCause(attr(BpfCommand.MAP_CREATE).set("map_type", 9999).obs(Errno.EINVAL).build(), "R-C01", "9999");
        Observation arena = create(MapType.ARENA, 0, 0, 1, 0).obs(Errno.EINVAL).kernel(K510).build();
        assertCause(arena, "R-C01", "BPF_MAP_TYPE_ARENA", "needs Linux 6.9");
        assertNotRule(create(MapType.ARENA, 0, 0, 1, 0).obs(Errno.EINVAL).build(), "R-C01");
    }

    @Test
    void arrayWithAKeyThatIsNotFourBytes() {
        assertCause(create(MapType.ARRAY, 8, 8, 4, 0).obs(Errno.EINVAL).build(), "R-C02", "key_size 8");
        assertCause(create(MapType.PROG_ARRAY, 4, 4, 0, 0).obs(Errno.EINVAL).build(), "R-C02", "max_entries 0");
        assertNotRule(create(MapType.ARRAY, 4, 8, 4, 0).obs(Errno.EINVAL).build(), "R-C02");
    }

    @Test
    void hashWithAZeroSizeOrFlagsItDoesNotTake() {
        assertCause(create(MapType.HASH, 4, 0, 4, 0).obs(Errno.EINVAL).build(), "R-C03", "value_size 0");
        assertCause(create(MapType.HASH, 4, 8, 4, 1 << 30).obs(Errno.EINVAL).build(), "R-C03", "0x40000000");
        assertNotRule(create(MapType.HASH, 4, 8, 4, Flags.NO_PREALLOC).obs(Errno.EINVAL).build(), "R-C03");
    }

    @Test
    void lruWithoutPreallocation() {
        assertCause(create(MapType.LRU_HASH, 4, 8, 4, Flags.NO_PREALLOC).obs(Errno.ENOTSUPP).build(), "R-C04", "BPF_F_NO_PREALLOC", "524");
        assertNotRule(create(MapType.HASH, 4, 8, 4, Flags.NO_PREALLOC).obs(Errno.ENOTSUPP).build(), "R-C04");
    }

    @Test
    void valueOverTheTypesLimit() {
        assertCause(create(MapType.HASH, 4, 1 << 30, 4, 0).obs(Errno.E2BIG).build(), "R-C05", "1073741824");
        assertCause(create(MapType.PERCPU_ARRAY, 4, 40000, 4, 0).obs(Errno.E2BIG).build(), "R-C05", "32768 bytes per CPU");
        assertNotRule(create(MapType.HASH, 4, 1024, 4, 0).obs(Errno.E2BIG).build(), "R-C05");
    }

    @Test
    void mapTooLargeToAllocate() {
        assertCause(create(MapType.ARRAY, 4, 1 << 20, 1 << 20, 0).obs(Errno.ENOMEM).build(), "R-C06", "1048576 MiB");
        assertNotRule(create(MapType.ARRAY, 4, 8, 1024, 0).obs(Errno.ENOMEM).build(), "R-C06");
    }

    @Test
    void flagsThatDoNotGoTogether() {
        assertCause(create(MapType.ARRAY, 4, 8, 4, Flags.RDONLY | Flags.WRONLY).obs(Errno.EINVAL).build(), "R-C07", "BPF_F_RDONLY and BPF_F_WRONLY");
        assertCause(create(MapType.HASH, 4, 8, 4, Flags.MMAPABLE).obs(Errno.EINVAL).build(), "R-C07", "only arrays can be mmap()ed");
        assertNotRule(create(MapType.ARRAY, 4, 8, 4, Flags.MMAPABLE).obs(Errno.EINVAL).build(), "R-C07");
    }

    @Test
    void fdMapWithAValueThatIsNotFourBytes() {
        assertCause(create(MapType.PROG_ARRAY, 4, 8, 4, 0).obs(Errno.EINVAL).build(), "R-C08", "value_size 8");
        assertNotRule(create(MapType.PROG_ARRAY, 4, 4, 4, 0).obs(Errno.EINVAL).build(), "R-C08");
    }

    @Test
    void ringBufferSize() {
        assertCause(create(MapType.RINGBUF, 0, 0, 12345, 0).obs(Errno.EINVAL).build(), "R-C09", "12345");
        assertCause(create(MapType.RINGBUF, 4, 0, 4096, 0).obs(Errno.EINVAL).build(), "R-C09", "key_size and value_size must be 0");
        assertNotRule(create(MapType.RINGBUF, 0, 0, 1 << 18, 0).obs(Errno.EINVAL).build(), "R-C09");
    }

    @Test
    void nameWithCharactersTheKernelRefuses() {
        assertCause(create(MapType.ARRAY, 4, 8, 1, 0).name("map_name", "bad-name!").obs(Errno.EINVAL).build(), "R-C10", "'-' is not allowed");
        assertNotRule(create(MapType.ARRAY, 4, 8, 1, 0).name("map_name", "good_name.1").obs(Errno.EINVAL).build(), "R-C10");
    }

    @Test
    void btfKeyWithoutBtfValue() {
        assertCause(create(MapType.HASH, 4, 8, 1, 0).set("btf_fd", 5).set("btf_key_type_id", 1).obs(Errno.EINVAL)
                .object("btf_fd", new ObjectSnapshot.BtfObject(5, 3)).build(), "R-C11", "btf_value_type_id is 0");
        assertNotRule(create(MapType.HASH, 4, 8, 1, 0).set("btf_key_type_id", 1).set("btf_value_type_id", 2).obs(Errno.EINVAL).build(), "R-C11");
    }

    @Test
    void mapExtraOnAMapWithoutOne() {
        assertCause(create(MapType.HASH, 4, 8, 4, 0).set("map_extra", 1).obs(Errno.EINVAL).build(), "R-C12", "map_extra is 1");
        assertNotRule(create(MapType.BLOOM_FILTER, 0, 8, 4, 0).set("map_extra", 3).obs(Errno.EINVAL).build(), "R-C12");
    }

    @Test
    void mapInMapTemplate() {
        Observation notOpen = create(MapType.ARRAY_OF_MAPS, 4, 4, 1, 0).set("inner_map_fd", 9999).obs(Errno.EBADF)
                .object("inner_map_fd", new ObjectSnapshot.NotOpen(9999)).build();
        assertCause(notOpen, "R-G05", "inner_map_fd");
        Observation progArray = create(MapType.ARRAY_OF_MAPS, 4, 4, 1, 0).set("inner_map_fd", 5).obs(Errno.EINVAL)
                .object("inner_map_fd", map(5, MapType.PROG_ARRAY, 4, 4, 1)).build();
        assertCause(progArray, "R-C13", "cannot be nested");
        assertNotRule(create(MapType.ARRAY_OF_MAPS, 4, 4, 1, 0).set("inner_map_fd", 5).obs(Errno.EINVAL)
                .object("inner_map_fd", map(5, MapType.ARRAY, 4, 8, 1)).build(), "R-C13");
    }
}
