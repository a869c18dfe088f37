package io.bpf4j.explain.rules;

import io.bpf4j.explain.AttrField;
import io.bpf4j.explain.AttrLayouts;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-G06, EINVAL: an fd names the wrong kind of object: {@code __bpf_map_get()} checks
 * {@code f_op != &bpf_map_fops}, {@code ____bpf_prog_get()} {@code bpf_prog_fops}, and
 * {@code btf_get_by_fd()} {@code btf_fops}.
 */
final class FdWrongKind extends BaseRule {
    FdWrongKind() {
        super("R-G06", ANY, Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        for (AttrField f : AttrLayouts.of(o.call().command())) {
            String want = expected(f.name());
            if (want == null) continue;
            ObjectSnapshot obj = o.object(f.name()).orElse(null);
            if (obj == null || obj instanceof ObjectSnapshot.NotOpen) continue;
            boolean ok = switch (want) {
                case "a map" -> obj instanceof ObjectSnapshot.MapObject;
                case "a program" -> obj instanceof ObjectSnapshot.ProgObject;
                case "a link" -> obj instanceof ObjectSnapshot.LinkObject;
                default -> obj instanceof ObjectSnapshot.BtfObject;
            };
            if (!ok)
                return cause("fd " + obj.fd() + " (" + f.name() + ") is " + kind(obj) + ", not " + want,
                        "pass the fd of " + want + " in " + f.name()
                                + (f.name().equals("map_fd") ? " (for a prog array update, the array is map_fd and the program fd is the value)" : ""));
        }
        return null;
    }

    static String expected(String field) {
        return switch (field) {
            case "map_fd", "inner_map_fd" -> "a map";
            case "prog_fd", "attach_bpf_fd", "new_prog_fd", "replace_bpf_fd", "old_prog_fd" -> "a program";
            case "link_fd" -> "a link";
            case "btf_fd", "prog_btf_fd" -> "a BTF object";
            default -> null;
        };
    }
}
