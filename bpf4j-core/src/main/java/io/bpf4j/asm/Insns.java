package io.bpf4j.asm;

import java.util.Objects;

/** Argument checks shared by the {@link Insn} records; they throw {@link IllegalArgumentException}. */
final class Insns {
    private Insns() {
    }

    static void requireS16(String what, int v) {
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE)
            throw new IllegalArgumentException(what + " " + v + " does not fit the 16-bit off field (-32768..32767)");
    }

    static void requireSwapBits(int bits) {
        if (bits != 16 && bits != 32 && bits != 64)
            throw new IllegalArgumentException("byte swap of " + bits + " bits (16, 32 or 64)");
    }

    static void requireNotDw(String form, Size size) {
        if (Objects.requireNonNull(size, "size") == Size.DW)
            throw new IllegalArgumentException(form + " has no DW size (B, H or W)");
    }

    static void requireConditional(JmpOp op) {
        if (!Objects.requireNonNull(op, "op").isConditional())
            throw new IllegalArgumentException(op + " is not a conditional jump; use Ja/Call/Exit/MayGoto");
    }
}
