package io.bpf4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import org.junit.jupiter.api.Test;

/** Text from files in messages: escaped so that a terminal shows it and does not act on it. */
class EscapeTest {
    @Test
    void controlsEscapeAndPlainTextStaysTheSameObject() {
        String plain = "task_struct.pid [12] ~!@#$%^&*()_+{}|:\"<>?é中🙂";
        assertSame(plain, Escape.text(plain));
        assertEquals("a\\nb\\tc\\rd\\x1b[31mred\\x00\\x7f\\x9b2J", Escape.text("a\nb\tc\rd\u001b[31mred\u0000\u007f\u009b2J"));
        assertEquals("back\\\\slash", Escape.text("back\\slash"));
        assertEquals("back\\slash", Escape.controls("back\\slash"), "controls() leaves backslashes: it may run twice");
        assertEquals("rtl\\u202eevil\\u200b \\u2028 \\ud800 \\udc00", Escape.text("rtl\u202eevil\u200b \u2028 \ud800 \udc00"));
        assertEquals("🙂", Escape.text("🙂"), "a surrogate pair is one character");
    }

    @Test
    void escapingTwiceWithControlsChangesNothing() {
        String once = Escape.controls("x\u001by\n\ud800");
        assertEquals(once, Escape.controls(once));
        assertTrue(Escape.isPrintable(once));
        assertFalse(Escape.isPrintable("x\u001by"));
    }

    @Test
    void longTextIsCutWithoutSplittingAPair() {
        String s = "a".repeat(Escape.MAX - 1) + "🙂🙂🙂";
        String e = Escape.text(s);
        assertEquals("a".repeat(Escape.MAX - 1) + "...", e);
        assertEquals(Escape.MAX + 3, Escape.text("b".repeat(10_000)).length());
    }

    @Test
    void formatErrorsNeverCarryAControlCharacter() {
        BpfFormatException e = new BpfFormatException("name '\u001b]0;pwned\u0007' at line 1\nline 2");
        assertEquals("name '\\x1b]0;pwned\\x07' at line 1\\nline 2", e.getMessage());
    }

    /** A BTF type named with a terminal escape, refused by a walk: its name shows escaped. */
    @Test
    void aBtfNameInAnErrorIsEscaped() {
        BtfBuilder b = new BtfBuilder();
        int fwd = b.addFwd("\u001b[2Jevil\n", false);
        Btf btf = b.build();
        BpfFormatException e = org.junit.jupiter.api.Assertions.assertThrows(BpfFormatException.class, () -> btf.sizeOf(fwd));
        assertEquals("BTF: sizeOf FWD '\\x1b[2Jevil\\n' [1]: FWD has no size", e.getMessage());
    }
}
