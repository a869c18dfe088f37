package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-C10, MAP_CREATE and PROG_LOAD, EINVAL: {@code bpf_obj_name_cpy()} accepts only
 * {@code isalnum()}, '_' and '.', NUL-terminated within 16 bytes.
 */
final class BadObjectName extends BaseRule {
    BadObjectName() {
        super("R-C10", on(BpfCommand.MAP_CREATE, BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        String field = o.call().is(BpfCommand.MAP_CREATE) ? "map_name" : "prog_name";
        if (!o.call().covers(field)) return null;
        byte[] name = o.call().nameBytes(field);
        String why = null;
        if (name.length >= 16) why = "it has no NUL within 16 bytes";
        for (byte b : name) {
            char c = (char) (b & 0xff);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.')) {
                why = "'" + (c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c)) + "' is not allowed";
                break;
            }
        }
        if (why == null) return null;
        return cause(field + " " + BpfCall.quote(name) + " is refused: " + why + " (only letters, digits, '_' and '.')",
                "use only [A-Za-z0-9_.] in names, at most 15 characters");
    }
}
