package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-C09, MAP_CREATE, EINVAL: {@code ringbuf_map_alloc()}: max_entries must be a power of two and
 * a multiple of the page size, and key_size and value_size must be 0.
 */
final class RingbufSize extends BaseRule {
    RingbufSize() {
        super("R-C09", on(BpfCommand.MAP_CREATE), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int type = o.call().u32("map_type");
        if (type != MapType.RINGBUF.value() && type != MapType.USER_RINGBUF.value()) return null;
        long n = Integer.toUnsignedLong(o.call().u32("max_entries"));
        String why;
        if (o.call().u32("key_size") != 0 || o.call().u32("value_size") != 0) why = "key_size and value_size must be 0";
        else if (!isPowerOfTwo(n) || n % 4096 != 0) why = "max_entries " + n + " is not a power of two multiple of the page size (4096)";
        else return null;
        return cause("a ring buffer's size is its max_entries: " + why,
                "set max_entries to a power of two of at least a page (e.g. 256 * 1024) and key_size = value_size = 0");
    }
}
