package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-C05, MAP_CREATE, E2BIG: per-CPU values over {@code PCPU_MIN_UNIT_SIZE} (32 KiB), hash
 * elements at {@code KMALLOC_MAX_SIZE} (4 MiB with 4 KiB pages), arrays over INT_MAX.
 */
final class ValueTooLarge extends BaseRule {
    static final long PCPU_MIN_UNIT_SIZE = 32 << 10, KMALLOC_MAX_SIZE = 4 << 20;

    ValueTooLarge() {
        super("R-C05", on(BpfCommand.MAP_CREATE), Errno.E2BIG);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        long key = Integer.toUnsignedLong(o.call().u32("key_size")), value = Integer.toUnsignedLong(o.call().u32("value_size"));
        String limit = null;
        if (Families.in(Families.PER_CPU, type) && ((value + 7) & ~7L) > PCPU_MIN_UNIT_SIZE) limit = "32768 bytes per CPU";
        else if (Families.in(Families.HASHES, type) && key + value >= KMALLOC_MAX_SIZE - 64) limit = "about 4 MiB for key and value together";
        else if (Families.in(Families.ARRAYS, type) && value > Integer.MAX_VALUE) limit = "INT_MAX";
        if (limit == null) return null;
        return cause("value_size " + value + (Families.in(Families.HASHES, type) ? " with key_size " + key : "")
                        + " is over the limit of " + limit + " for " + MapType.nameOf(type),
                "make the value smaller (split it, or store large records in a ring buffer)");
    }
}
