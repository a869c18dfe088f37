package io.bpf4j;

/**
 * Malformed input bytes: an ELF object, BTF blob or instruction stream that cannot be what it
 * claims to be. Parsers throw only this for bad input, never an index or arithmetic exception.
 */
public class BpfFormatException extends BpfException {
    public BpfFormatException(String message) {
        super(message);
    }

    public BpfFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
