package io.bpf4j.internal;

import io.bpf4j.BpfException;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An epoll set plus an eventfd that another thread can signal, so a thread blocked in
 * {@link #await} returns at once when its owner is closed (Ctrl-C, shutdown hooks) instead of
 * waiting for the next event or a timeout. Readiness is level-triggered (plain EPOLLIN), so data
 * left unread is reported again by the next wait.
 *
 * <p>Only one thread may wait at a time; {@link #wake()} may be called from any thread.
 */
public final class Epoll implements AutoCloseable {
    /** The cookie reported when {@link #wake()} was called. */
    public static final long WAKE = -1L;

    private final Fd epoll;
    private final Fd wake;
    private final MemorySegment events;
    private final MemorySegment one;
    private final int max;

    /** An epoll set that can report up to {@code maxEvents} ready fds per wait. */
    public Epoll(int maxEvents) {
        this.max = Math.max(1, maxEvents + 1);
        Fd e = Fd.adopt(Syscalls.epollCreate(), "epoll_create1");
        Fd w = null;
        try {
            w = Fd.adopt(Syscalls.eventfd(0, Syscalls.EFD_CLOEXEC | Syscalls.EFD_NONBLOCK), "eventfd");
            int r = Syscalls.epollCtl(e.raw(), Syscalls.EPOLL_CTL_ADD, w.raw(), WAKE);
            if (r < 0) throw new BpfException("epoll_ctl add eventfd", -r, null);
        } catch (RuntimeException ex) {
            if (w != null) w.close();
            e.close();
            throw ex;
        }
        this.epoll = e;
        this.wake = w;
        // An automatic arena: the kernel may still be writing events when close() runs on
        // another thread, so the buffer must live as long as any thread can reach it.
        Arena arena = Arena.ofAuto();
        this.events = arena.allocate(Syscalls.EPOLL_EVENT_SIZE * max, 8);
        this.one = arena.allocate(8, 8);
        one.set(JAVA_LONG, 0, 1L);
    }

    /** Watches {@code fd} for input; {@link #cookie(int)} reports {@code cookie} when it is ready. */
    public void add(Fd fd, long cookie) {
        if (cookie == WAKE) throw new IllegalArgumentException("cookie -1 is reserved for wake-ups");
        int r = Syscalls.epollCtl(epoll.raw(), Syscalls.EPOLL_CTL_ADD, fd.raw(), cookie);
        if (r < 0) throw new BpfException("epoll_ctl add " + fd, -r, null);
    }

    /**
     * Blocks until a watched fd is ready, {@link #wake()} is called, or {@code timeoutMs} passes
     * (negative: no timeout; 0: do not block). Signals (EINTR) do not shorten the wait.
     *
     * @return the number of ready entries, read with {@link #cookie(int)}; 0 on timeout
     */
    public int await(int timeoutMs) {
        long deadline = timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000L : 0;
        int t = timeoutMs;
        while (true) {
            int n = Syscalls.epollWait(epoll.raw(), events, max, t);
            if (n >= 0) return n;
            if (-n != Errno.EINTR) throw new BpfException("epoll_wait", -n, null);
            if (timeoutMs > 0) {
                t = (int) Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
            }
        }
    }

    /** The cookie of the {@code i}-th entry of the last {@link #await}; {@link #WAKE} for a wake-up. */
    public long cookie(int i) {
        return Syscalls.epollCookie(events, i);
    }

    /**
     * Makes the current and every later {@link #await} return at once. Safe from any thread and
     * from signal-handling code paths such as shutdown hooks; never blocks.
     */
    public void wake() {
        if (wake.isClosed()) return;
        try {
            Syscalls.write(wake.raw(), one, 8);
        } catch (IllegalStateException closedMeanwhile) {
            // Closed between the check and the write: nobody is left to wake.
        }
    }

    @Override
    public void close() {
        try {
            wake.close();
        } finally {
            epoll.close();
        }
    }
}
