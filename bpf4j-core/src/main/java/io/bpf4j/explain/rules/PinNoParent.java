package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/** R-O03, OBJ_PIN, ENOENT: the path's directory does not exist ({@code user_path_create()}). */
final class PinNoParent extends BaseRule {
    PinNoParent() {
        super("R-O03", on(BpfCommand.OBJ_PIN), Errno.ENOENT);
    }

    @Override
    Cause check(Observation o) {
        if (!o.fact(Fact.PATH_PARENT_FS, String.class).orElse("").isEmpty()) return null;
        return cause("the directory of \"" + o.string("pathname").orElse("?") + "\" does not exist",
                "create the directory inside bpffs first (mkdir works there)");
    }
}
