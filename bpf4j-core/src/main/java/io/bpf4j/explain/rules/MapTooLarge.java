package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-C06, MAP_CREATE, ENOMEM: arrays and preallocated hash maps allocate every element up front
 * ({@code bpf_map_area_alloc()}), charged to the caller's memory cgroup since 5.11.
 */
final class MapTooLarge extends BaseRule {
    MapTooLarge() {
        super("R-C06", on(BpfCommand.MAP_CREATE), Errno.ENOMEM);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        long n = Integer.toUnsignedLong(o.call().u32("max_entries"));
        long value = (Integer.toUnsignedLong(o.call().u32("value_size")) + 7) & ~7L;
        long bytes;
        if (Families.in(Families.ARRAYS, type)) bytes = n * value;
        else if (Families.in(Families.HASHES, type) && (o.call().u32("map_flags") & Flags.NO_PREALLOC) == 0)
            bytes = n * (value + ((Integer.toUnsignedLong(o.call().u32("key_size")) + 7) & ~7L) + 48);
        else return null;
        if (Families.in(Families.PER_CPU, type) && o.kernel().possibleCpus() > 0) bytes *= o.kernel().possibleCpus();
        if (bytes < (64L << 20)) return null;
        return cause(MapType.nameOf(type) + " with max_entries " + n + " allocates about " + (bytes >> 20)
                        + " MiB of kernel memory up front, and the kernel (or your memory cgroup's limit) could not give it",
                "make the map smaller" + (Families.in(Families.HASHES, type) ? ", or create it with BPF_F_NO_PREALLOC" : "")
                        + ", or raise the memory cgroup's limit");
    }
}
