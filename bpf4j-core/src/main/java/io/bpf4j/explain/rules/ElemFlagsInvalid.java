package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

/**
 * R-M03, lookup/update, EINVAL: BPF_F_LOCK on a map whose value has no bpf_spin_lock
 * ({@code btf_record_has_field(map->record, BPF_SPIN_LOCK)}), or lookup flags other than
 * BPF_F_LOCK (the high 32 bits are BPF_F_CPU's CPU number on 7.x kernels).
 */
final class ElemFlagsInvalid extends BaseRule {
    ElemFlagsInvalid() {
        super("R-M03", on(BpfCommand.MAP_LOOKUP_ELEM, BpfCommand.MAP_UPDATE_ELEM, BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        long flags = o.call().get("flags");
        ObjectSnapshot.MapObject m = o.map("map_fd").orElse(null);
        if ((flags & Flags.F_LOCK) != 0 && m != null) {
            // Without BTF a value cannot have a bpf_spin_lock; with BTF, explain looks the value type up.
            Boolean lock = o.fact(Fact.VALUE_HAS_SPIN_LOCK, Boolean.class).orElse(m.btfId() == 0 ? Boolean.FALSE : null);
            if (Boolean.FALSE.equals(lock))
                return cause("BPF_F_LOCK asks the kernel to take the value's bpf_spin_lock, but the value of " + name(m)
                                + " has none" + (m.btfId() == 0 ? " (the map has no BTF, so it cannot have one)" : ""),
                        "drop BPF_F_LOCK, or put a struct bpf_spin_lock in the value and create the map with BTF");
        }
        if (!o.call().is(BpfCommand.MAP_UPDATE_ELEM) && (flags & ~Flags.F_LOCK) != 0)
            return cause("flags " + Flags.elem(flags) + " has bits " + o.call().commandName() + " does not accept: only BPF_F_LOCK"
                            + ((flags >>> 32) != 0 ? " (the upper 32 bits carry a CPU number with BPF_F_CPU, on kernels that have it)" : ""),
                    "pass 0 (or BPF_F_LOCK for spin-locked values)");
        return null;
    }
}
