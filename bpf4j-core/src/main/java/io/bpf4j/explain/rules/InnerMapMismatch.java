package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M18, map-in-map update, EINVAL: {@code bpf_map_fd_get_ptr()} → {@code map_meta_equal()}: the
 * inner map must match the template given at creation in type, key_size, value_size and
 * map_flags (and max_entries unless the template had BPF_F_INNER_MAP).
 */
final class InnerMapMismatch extends BaseRule {
    InnerMapMismatch() {
        super("R-M18", on(BpfCommand.MAP_UPDATE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        ObjectSnapshot.MapObject v = o.map("value").orElse(null);
        if (m == null || v == null || !Families.in(Families.MAP_IN_MAP, m.type())) return null;
        if (o.fact(Fact.INNER_MAP_MATCHES, Boolean.class).orElse(false)) return null;
        return cause(name(v) + " (key " + v.keySize() + ", value " + v.valueSize() + ", max_entries " + v.maxEntries()
                        + ") does not match the inner map template of " + name(m),
                "create inner maps with the template's type, key_size, value_size and map_flags (and max_entries, unless the "
                        + "template has BPF_F_INNER_MAP)");
    }
}
