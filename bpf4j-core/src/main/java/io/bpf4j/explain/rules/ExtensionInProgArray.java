package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M15, prog array update, EINVAL: from 6.13 ({@code d6083f040d5d}) {@code prog_fd_array_get_ptr()}
 * refuses BPF_PROG_TYPE_EXT programs outright: an extension can no longer be a tail-call target.
 */
final class ExtensionInProgArray extends BaseRule {
    ExtensionInProgArray() {
        super("R-M15", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        ObjectSnapshot.ProgObject p = o.prog("value").orElse(null);
        if (m == null || p == null || !m.isType(MapType.PROG_ARRAY) || !p.isType(ProgType.EXT)) return null;
        if (m.owned() && m.ownerProgType() != ProgType.EXT.value()) return null; // a plain type mismatch (R-M14)
        return cause(name(p) + " is an freplace (BPF_PROG_TYPE_EXT) program, and this kernel does not let extensions be tail-call targets",
                "tail-call the program the extension replaces into, not the extension; or restructure without tail calls into freplace programs",
                KnownChanges.FREPLACE_TAILCALL_LOOP, "Linux 6.13 and later (6.12.5+, 6.1.191+)");
    }
}
