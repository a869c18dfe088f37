package io.bpf4j;

import io.bpf4j.internal.sys.Syscalls;


import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file descriptor with exactly one owner, which closes it once. Object fds are never 0:
 * the kernel may hand out fd 0 when stdin is closed, and 0 means "none" in many bpf_attr
 * fields, so such an fd is moved to a higher number (as cilium/ebpf does).
 *
 * <p>A Cleaner closes an fd whose owner forgot to, and counts it in {@link #leaked()} so tests
 * can fail on leaks.
 */
public final class Fd implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger OPEN = new AtomicInteger();
    private static final AtomicLong LEAKED = new AtomicLong();

    private final State state;
    private final Cleaner.Cleanable cleanable;

    private static final class State implements Runnable {
        volatile int fd;
        volatile boolean closedByOwner;

        State(int fd) {
            this.fd = fd;
        }

        @Override
        public void run() {
            int f = fd;
            if (f < 0) return;
            fd = -1;
            if (!closedByOwner) LEAKED.incrementAndGet();
            OPEN.decrementAndGet();
            Syscalls.close(f);
        }
    }

    private Fd(int fd) {
        this.state = new State(fd);
        OPEN.incrementAndGet();
        this.cleanable = CLEANER.register(this, state);
    }

    /**
     * Takes ownership of a raw fd returned by a syscall. A negative value is {@code -errno} and
     * becomes an exception for {@code op}.
     */
    public static Fd adopt(int raw, String op) {
        if (raw < 0) throw new BpfException(op, -raw, null);
        if (raw == 0) {
            int moved = Syscalls.dupCloexec(0, 1);
            Syscalls.close(0);
            if (moved < 0) throw new BpfException(op + ": move fd 0", -moved, null);
            raw = moved;
        }
        return new Fd(raw);
    }

    /** The raw number; throws if closed, so a closed object is never passed to the kernel. */
    public int raw() {
        int f = state.fd;
        if (f < 0) throw new IllegalStateException("file descriptor already closed");
        return f;
    }

    public boolean isClosed() {
        return state.fd < 0;
    }

    /** A new, independently owned fd for the same kernel object. */
    public Fd dup() {
        return adopt(Syscalls.dupCloexec(raw(), 1), "dup");
    }

    @Override
    public void close() {
        state.closedByOwner = true;
        cleanable.clean();
    }

    /** fds created through this class and not yet closed. */
    public static int openCount() {
        return OPEN.get();
    }

    /** fds the Cleaner had to close because their owner never did. */
    public static long leaked() {
        return LEAKED.get();
    }

    @Override
    public String toString() {
        return "fd " + state.fd;
    }
}
