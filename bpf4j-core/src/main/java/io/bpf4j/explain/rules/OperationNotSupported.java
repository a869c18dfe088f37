package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M19, element commands, ENOTSUPP (524)/EOPNOTSUPP: the map type does not implement the
 * operation (e.g. lookup-and-delete on an array, any element op on a ring buffer).
 */
final class OperationNotSupported extends BaseRule {
    OperationNotSupported() {
        super("R-M19", on(BpfCommand.MAP_LOOKUP_ELEM, BpfCommand.MAP_UPDATE_ELEM, BpfCommand.MAP_DELETE_ELEM,
                BpfCommand.MAP_GET_NEXT_KEY, BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, BpfCommand.MAP_LOOKUP_BATCH,
                BpfCommand.MAP_UPDATE_BATCH, BpfCommand.MAP_DELETE_BATCH, BpfCommand.MAP_LOOKUP_AND_DELETE_BATCH),
                Errno.ENOTSUPP, Errno.EOPNOTSUPP);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if (m == null) return null;
        return cause(name(m) + " does not implement " + o.call().commandName()
                        + (o.errno() == Errno.ENOTSUPP ? " (errno 524 is the kernel-internal ENOTSUPP; libc prints \"Unknown error 524\")" : ""),
                "use an operation this map type implements (for arrays: lookup, then update with zeros), or another map type");
    }
}
