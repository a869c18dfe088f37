package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * At most {@code size} bytes of the underlying stream: one member of an archive read as a stream
 * (ar, tar). EOF before that is a truncated archive.
 */
final class BoundedStream extends InputStream {
    private final InputStream in;
    private final long size;
    private final String what;
    private long left;

    BoundedStream(InputStream in, long size, String what) {
        this.in = in;
        this.size = size;
        this.left = size;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left == 0) return -1;
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) throw new BpfFormatException(what + ": truncated (" + left + " of " + size + " bytes missing)");
        left -= n;
        return n;
    }

    long size() {
        return size;
    }

    /** Skips what the reader left unread. */
    void skipRest() throws IOException {
        try {
            in.skipNBytes(left);
        } catch (EOFException e) {
            throw new BpfFormatException(what + ": truncated (" + left + " of " + size + " bytes missing)");
        }
        left = 0;
    }

    @Override
    public void close() {
        // The archive owns the stream.
    }
}
