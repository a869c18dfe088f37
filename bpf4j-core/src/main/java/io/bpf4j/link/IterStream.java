package io.bpf4j.link;

import io.bpf4j.BpfLink;
import io.bpf4j.internal.BpfCalls;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;
import io.bpf4j.internal.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The output of one run of a BPF iterator (BPF_ITER_CREATE on an iterator link, 5.8+), read
 * as a stream: each {@code open} starts a new walk over the kernel objects. Owns its fd.
 */
public final class IterStream extends InputStream {
    private final Fd fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(1 << 16);
    private int pos, limit;
    private boolean eof;

    private IterStream(Fd fd) {
        this.fd = fd;
    }

    /** Starts a walk of the iterator attached by {@code link} (see {@link Links#iterator}). */
    public static IterStream open(BpfLink link) {
        MemorySegment a = Bpf.attr(Layouts.OneFd.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.OneFd.FD, link.fd().raw());
        return new IterStream(BpfCalls.fd(BpfCommand.ITER_CREATE, a, "create iterator"));
    }

    private boolean fill() throws IOException {
        if (eof) return false;
        long n = Syscalls.read(fd.raw(), buf, buf.byteSize());
        if (n < 0) throw new IOException("read iterator: " + io.bpf4j.internal.sys.Errno.describe((int) -n));
        if (n == 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = (int) n;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (pos >= limit && !fill()) return -1;
        return buf.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (pos >= limit && !fill()) return -1;
        int n = Math.min(len, limit - pos);
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        if (!fd.isClosed()) {
            fd.close();
            arena.close();
        }
    }
}
