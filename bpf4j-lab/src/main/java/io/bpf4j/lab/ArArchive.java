package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Unix {@code ar} archive read as a stream, the container of a Debian .deb
 * ({@code debian-binary}, {@code control.tar.*}, {@code data.tar.*}). Members come one after the
 * other; a member's data is a bounded view of the stream, so a caller can read only what it
 * needs of a large {@code data.tar.xz} and never hold the whole package.
 */
final class ArArchive implements AutoCloseable {
    static final String MAGIC = "!<arch>\n";

    /** One member: its name (without the GNU trailing slash) and its data, {@code size} bytes. */
    record Member(String name, long size, InputStream data) {}

    private final InputStream in;
    private final String what;
    private BoundedStream current;

    ArArchive(InputStream in, String what) throws IOException {
        this.in = in;
        this.what = what;
        byte[] m = in.readNBytes(MAGIC.length());
        if (!MAGIC.equals(new String(m, StandardCharsets.ISO_8859_1))) {
            throw new BpfFormatException(what + ": not an ar archive (no !<arch> magic); is it a .deb?");
        }
    }

    /** The next member, or null at the end; skips what the caller left unread of the previous one. */
    Member next() throws IOException {
        if (current != null) {
            current.skipRest();
            if ((current.size() & 1) == 1) in.skipNBytes(1); // members are 2-byte aligned
            current = null;
        }
        byte[] h = in.readNBytes(60);
        if (h.length == 0) return null;
        if (h.length < 60) throw new BpfFormatException(what + ": truncated ar member header");
        if (h[58] != '`' || h[59] != '\n') throw new BpfFormatException(what + ": bad ar member header (no `\\n terminator)");
        String name = new String(h, 0, 16, StandardCharsets.ISO_8859_1).strip();
        if (name.endsWith("/") && name.length() > 1) name = name.substring(0, name.length() - 1);
        String sizeText = new String(h, 48, 10, StandardCharsets.ISO_8859_1).strip();
        long size;
        try {
            size = Long.parseLong(sizeText);
        } catch (NumberFormatException e) {
            throw new BpfFormatException(what + ": ar member " + Escape.text(name) + ": size '" + Escape.text(sizeText) + "' is not a number");
        }
        if (size < 0) throw new BpfFormatException(what + ": ar member " + Escape.text(name) + ": negative size");
        current = new BoundedStream(in, size, what + ": ar member " + name);
        return new Member(name, size, current);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
