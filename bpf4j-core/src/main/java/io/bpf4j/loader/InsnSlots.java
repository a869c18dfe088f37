package io.bpf4j.loader;

import io.bpf4j.BpfException;
import io.bpf4j.asm.Insn;

import java.util.Arrays;
import java.util.List;

/**
 * A program's instructions addressed by 8-byte slot, as relocation records address them, for
 * replacing instructions in place: a replacement takes exactly the slots of what it replaces,
 * so that no jump offset changes.
 */
final class InsnSlots {
    private final Insn[] bySlot;
    private int count;

    InsnSlots(List<Insn> insns) {
        int slots = 0;
        for (Insn i : insns) slots += i.slots();
        bySlot = new Insn[slots];
        int at = 0;
        for (Insn i : insns) {
            bySlot[at] = i;
            at += i.slots();
        }
        count = insns.size();
    }

    /** The instruction that starts at {@code slot}; {@code what} names the asker in the error. */
    Insn at(int slot, String what) {
        if (slot < 0 || slot >= bySlot.length || bySlot[slot] == null)
            throw new BpfException(what + ": instruction slot " + slot + " is not the start of an instruction of this program ("
                    + bySlot.length + " slots)");
        return bySlot[slot];
    }

    /** Replaces the instruction at {@code slot} by instructions of the same total size. */
    void set(int slot, List<Insn> with, String what) {
        Insn old = at(slot, what);
        int size = 0;
        for (Insn i : with) size += i.slots();
        if (size != old.slots())
            throw new BpfException(what + ": " + size + " slots cannot replace the " + old.slots() + " of " + old);
        int at = slot;
        for (Insn i : with) {
            bySlot[at] = i;
            if (i.slots() == 2) bySlot[at + 1] = null;
            at += i.slots();
        }
        count += with.size() - 1;
    }

    void set(int slot, Insn with, String what) {
        set(slot, List.of(with), what);
    }

    List<Insn> toList() {
        Insn[] out = new Insn[count];
        int n = 0;
        for (Insn i : bySlot) if (i != null) out[n++] = i;
        return n == count ? List.of(out) : List.of(Arrays.copyOf(out, n));
    }
}
