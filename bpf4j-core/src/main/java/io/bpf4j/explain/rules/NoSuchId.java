package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G11, *_GET_FD_BY_ID: ENOENT when no object has the id now ({@code idr_find()} found
 * nothing: the object was freed), EPERM without CAP_SYS_ADMIN.
 */
final class NoSuchId extends BaseRule {
    NoSuchId() {
        super("R-G11", on(BpfCommand.PROG_GET_FD_BY_ID, BpfCommand.MAP_GET_FD_BY_ID, BpfCommand.LINK_GET_FD_BY_ID,
                BpfCommand.BTF_GET_FD_BY_ID), Errno.ENOENT, Errno.EPERM);
    }

    @Override
    Cause check(Observation o) {
        String kind = switch (o.call().command()) {
            case PROG_GET_FD_BY_ID -> "program";
            case MAP_GET_FD_BY_ID -> "map";
            case LINK_GET_FD_BY_ID -> "link";
            default -> "BTF object";
        };
        long id = o.call().get(o.call().command() == BpfCommand.PROG_GET_FD_BY_ID ? "prog_id"
                : o.call().command() == BpfCommand.MAP_GET_FD_BY_ID ? "map_id"
                : o.call().command() == BpfCommand.LINK_GET_FD_BY_ID ? "link_id" : "btf_id");
        if (o.errno() == Errno.EPERM) {
            if (!o.process().known() || o.process().has(ProcessFacts.CAP_SYS_ADMIN)) return null;
            return cause("opening a " + kind + " by id needs CAP_SYS_ADMIN, which your process does not have",
                    "run with CAP_SYS_ADMIN, or get the fd another way (a pin in bpffs, or from the process that holds it)");
        }
        return cause("no " + kind + " with id " + id + " exists now: it was freed when its last fd, link or pin went away",
                "keep the object alive (hold an fd, pin it or attach it) while others open it by id");
    }
}
