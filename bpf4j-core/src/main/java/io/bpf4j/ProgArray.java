package io.bpf4j;

import io.bpf4j.internal.bytes.LittleEndian;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A typed view of a PROG_ARRAY: programs go in by fd, and come back as ids (a lookup returns
 * the program id since 4.13, 14dc6f04f49d). The owner (the program type every member must
 * have) is only visible in fdinfo. It does not own the map.
 */
public final class ProgArray {
    private final BpfMap map;

    public ProgArray(BpfMap map) {
        if (map.type() != MapType.PROG_ARRAY) throw new BpfException("prog array view: " + map + " is not a prog array");
        this.map = map;
    }

    /**
     * Puts a program in a slot. EINVAL here usually means the program's type or JIT state does
     * not match the array's owner (see {@link #ownerType()}).
     */
    public void set(int slot, BpfProgram prog) {
        map.update(LittleEndian.of32(slot), LittleEndian.of32(prog.fd().raw()), BpfMap.ANY);
    }

    public boolean clear(int slot) {
        return map.delete(LittleEndian.of32(slot));
    }

    /** The id of the program in a slot, if any. */
    public Optional<Integer> programId(int slot) {
        return map.lookup(LittleEndian.of32(slot)).map(b -> LittleEndian.i32(b, 0));
    }

    /** Occupied slots: index → program id. */
    public Map<Integer, Integer> slots() {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < map.maxEntries(); i++) {
            int slot = i;
            programId(i).ifPresent(id -> out.put(slot, id));
        }
        return out;
    }

    /** The owner's program type, or empty while no program has used the array. */
    public Optional<ProgType> ownerType() {
        var t = FdInfo.of(map.fd()).ownerProgType();
        return t.isPresent() ? Optional.ofNullable(ProgType.of(t.getAsInt())) : Optional.empty();
    }

    /** Whether the owner was JITed; empty while unowned. */
    public Optional<Boolean> ownerJited() {
        return Optional.ofNullable(FdInfo.of(map.fd()).ownerJited());
    }
}
