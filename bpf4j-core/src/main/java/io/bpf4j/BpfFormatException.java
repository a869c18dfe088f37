package io.bpf4j;

/**
 * Malformed input bytes: an ELF object, BTF blob or instruction stream that cannot be what it
 * claims to be. Parsers throw only this for bad input, never an index or arithmetic exception.
 *
 * <p>The message is one printable line: names and text from the input are quoted with their
 * control characters escaped ({@code \x1b}, {@code \n}), so printing it cannot move the cursor,
 * recolour the terminal or forge a second line.
 */
public class BpfFormatException extends BpfException {
    public BpfFormatException(String message) {
        super(Escape.controls(message));
    }

    public BpfFormatException(String message, Throwable cause) {
        super(Escape.controls(message), cause);
    }
}
